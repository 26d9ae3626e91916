"The sao web client and the Tryton server"
import os
import shutil
import socket
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from . import ROOT, SAO, VAR, LauncherError, trytond_environ

SAO_SPEC = 'tryton-sao@~8.0.0'
LOGGING_CONFIG = Path(__file__).resolve().parent / 'logging.conf'


def _need(program):
    path = shutil.which(program)
    if not path:
        raise LauncherError(
            f"{program} is not installed: the web client is installed with "
            "Node.js and npm (apt-get install nodejs npm).")
    return path


def install_sao():
    "Install the web client from npm into var/sao unless it is there"
    if (SAO / 'index.html').exists() and (SAO / 'node_modules').exists():
        return False
    _need('node')
    npm = _need('npm')
    VAR.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(dir=VAR) as tmp:
        packed = subprocess.run(
            [npm, 'pack', SAO_SPEC, '--silent'], cwd=tmp,
            capture_output=True, text=True)
        if packed.returncode:
            raise LauncherError(
                f"npm pack {SAO_SPEC} failed: {packed.stderr.strip()[-300:]}")
        tarball = os.path.join(tmp, packed.stdout.strip().splitlines()[-1])
        with tarfile.open(tarball) as archive:
            archive.extractall(tmp, filter='data')
        shutil.rmtree(SAO, ignore_errors=True)
        shutil.move(os.path.join(tmp, 'package'), SAO)
    installed = subprocess.run(
        [npm, 'install', '--legacy-peer-deps', '--omit=dev',
            '--ignore-scripts', '--no-audit', '--no-fund'],
        cwd=SAO, capture_output=True, text=True)
    if installed.returncode:
        shutil.rmtree(SAO / 'node_modules', ignore_errors=True)
        raise LauncherError(
            f"npm install of the web client failed: "
            f"{installed.stderr.strip()[-300:]}")
    return True


def check_port(host, port):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            raise LauncherError(
                f"Port {port} on {host} is in use: stop what runs there or "
                f"choose another port (JEWEL_PORT=8001 make run).")


def serve(database, host, port):
    "Run trytond in the foreground, serving sao and RPC"
    if not (SAO / 'index.html').exists():
        raise LauncherError(
            "The web client is not installed: run 'python -m jewel "
            "install-web' (make run does it).")
    check_port(host, port)
    os.environ['TRYTOND_WEB__LISTEN'] = f'{host}:{port}'
    env = trytond_environ()
    # warnings and errors only: no line per request (TRYTOND_LOGGING_CONFIG
    # chooses another configuration)
    env.setdefault('TRYTOND_LOGGING_CONFIG', str(LOGGING_CONFIG))
    trytond = os.path.join(os.path.dirname(sys.executable), 'trytond')
    # -d preloads the database: trytond 8.0.12 refuses every login otherwise
    return subprocess.call([trytond, '-d', database], env=env)

