"""The class hub of tests/class_hub: JupyterHub on 127.0.0.1, a shared password, local processes.

The test (`make class`) starts it with the environment variables below; the README's
"Teaching a class" section says what a real hub keeps from it (the authenticator, the
single-user image, the link) and what it replaces (the spawner: a real hub gives each
student their own container or system user, and its own proxy set-up).

CLASS_HUB_PORT        the port students open (the proxy's public port)
CLASS_HUB_INTERNAL    the first of three more ports: the hub's API, the proxy's API
CLASS_HUB_PROXY       the configurable-http-proxy program (installed from npm by the test)
CLASS_HUB_IMAGE       the single-user environment: a venv with the course, jupyterhub and
                      nbgitpuller, binder/postBuild applied to it (the test: .venv)
CLASS_HUB_HOMES       the folder where each student's home (their notebooks) is made
CLASS_HUB_PASSWORD    the students' shared password (8 characters or more)
CLASS_HUB_ADMIN_TOKEN the API token of the `class-admin` service, which has the admin role
CLASS_HUB_SPAWNER_ENV extra environment of every student's server, as NAME=VALUE lines
CLASS_HUB_RUNTIME     a folder with a short path for the students' kernel sockets
"""

import os
from pathlib import Path

c = get_config()  # noqa: F821 (JupyterHub provides it)
environ = os.environ
internal = int(environ["CLASS_HUB_INTERNAL"])

c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = int(environ["CLASS_HUB_PORT"])
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = internal
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:%d" % (internal + 1)
c.ConfigurableHTTPProxy.command = [environ["CLASS_HUB_PROXY"]]
c.ConfigurableHTTPProxy.debug = False

# One password for every student (JupyterHub 5.3+; DummyAuthenticator.password is
# deprecated). Students are the users the admin added through the REST API.
c.JupyterHub.authenticator_class = "shared-password"
c.SharedPasswordAuthenticator.user_password = environ["CLASS_HUB_PASSWORD"]
c.Authenticator.allow_existing_users = True

# The test's own admin: a service whose token may add users and read their servers.
c.JupyterHub.services = [{"name": "class-admin", "api_token": environ["CLASS_HUB_ADMIN_TOKEN"]}]
c.JupyterHub.load_roles = [{"name": "admin", "services": ["class-admin"]}]

# Every student's server is a process of this machine's user, started from the image's
# jupyterhub-singleuser, with its home under CLASS_HUB_HOMES (JupyterHub's test spawner:
# no isolation between students, so never on a real hub).
image = Path(environ["CLASS_HUB_IMAGE"])
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = environ["CLASS_HUB_HOMES"] + "/{username}"
c.Spawner.cmd = [str(image / "bin" / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
# Kernels talk to their server over Unix sockets, not TCP: here every student's server
# shares one machine's ports, and two servers starting kernels at the same moment once
# chose the same port (the kernel failed 5 restarts). Jupyter refuses to run as root
# unless told it may (CI runs as root).
c.Spawner.args = ["--KernelManager.transport=ipc"] + (["--allow-root"] if os.geteuid() == 0 else [])
c.Spawner.environment = dict(line.split("=", 1) for line in environ.get("CLASS_HUB_SPAWNER_ENV", "").splitlines()
                             if line)
# A Unix socket's path has at most 107 characters: the kernels' sockets go to a short folder.
c.Spawner.environment["JUPYTER_RUNTIME_DIR"] = lambda spawner: "%s/%s" % (environ["CLASS_HUB_RUNTIME"],
                                                                         spawner.user.name)
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120

# The hub's database and cookie secret live in the folder it runs in (the test's).
c.JupyterHub.db_url = "sqlite:///jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = "jupyterhub_cookie_secret"
c.JupyterHub.cleanup_servers = True
