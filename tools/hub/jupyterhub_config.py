"""JupyterHub configuration for teaching the course to a class on one machine.

`./course hub` (tools/hub.py) writes the class's settings to a JSON file and starts JupyterHub
with this file; nothing here needs editing for another class. What it sets up:

- PAM authentication against the machine's local accounts (JupyterHub's default), limited to the
  named students and instructors; instructors are the hub's admins.
- LocalProcessSpawner (stopping servers with SIGTERM, see CourseSpawner): the hub runs as root and
  starts each user's JupyterLab as that user, in the user's home, from the course's .venv-hub (so
  every user gets the course kernel and nbgrader).
- The course's nbgrader settings per role (see tools/hub/course_nbgrader.py): one shared exchange,
  the course id, the Java solution delimiters; instructors get a course directory
  ~/<course_id>/ and the formgrader, students only the assignment list.
- The pool's worker count per student (IPC_COURSE_POOL_WORKERS, read by ProcessPool's default).
- The proxy from the course's pinned configurable-http-proxy, its API and the hub on loopback.

On Kubernetes the same choices are made in zero-to-jupyterhub's values file: see
tools/hub/KUBERNETES.md.
"""
import json
import os
import signal

from jupyterhub.spawner import LocalProcessSpawner

settings = json.loads(open(os.environ["COURSE_HUB_SETTINGS"]).read())
c = get_config()  # noqa: F821 (provided by JupyterHub when it loads this file)
state = settings["state_dir"]
instructors = set(settings["instructors"])

c.JupyterHub.bind_url = f"http://{settings['ip']}:{settings['port']}"
c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{settings['port'] + 1}"
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{settings['port'] + 2}"
c.ConfigurableHTTPProxy.command = [settings["proxy"]]
c.ConfigurableHTTPProxy.pid_file = os.path.join(state, "proxy.pid")
c.JupyterHub.db_url = "sqlite:///" + os.path.join(state, "jupyterhub.sqlite")
c.JupyterHub.cookie_secret_file = os.path.join(state, "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = os.path.join(state, "jupyterhub.pid")
# Stopping the hub stops every user's server (and so their kernels and pool workers) and the proxy.
c.JupyterHub.cleanup_servers = True
c.JupyterHub.cleanup_proxy = True

c.JupyterHub.authenticator_class = "pam"
c.Authenticator.allowed_users = set(settings["students"]) | instructors
c.Authenticator.admin_users = instructors



class CourseSpawner(LocalProcessSpawner):
    """LocalProcessSpawner that stops a server with SIGTERM first, not SIGINT.

    jupyter_server shuts its kernels down on SIGTERM; its SIGINT handler is installed only when
    the server runs on a terminal, so a spawned server dies of SIGINT at once and leaves its
    kernel JVMs running as orphans (seen with jupyterhub 6.1.1 and jupyter_server 2.21.1).
    """

    async def stop(self, now=False):
        if not now and await self.poll() is None:
            await self._signal(signal.SIGTERM)
            await self.wait_for_death(self.term_timeout)
        await super().stop(now=True)  # SIGTERM again, then SIGKILL, if it is still running


c.JupyterHub.spawner_class = CourseSpawner
# Time for a server to shut its kernels (and their pool workers) down before it is killed.
c.Spawner.term_timeout = 30
c.Spawner.cmd = [os.path.join(settings["venv"], "bin", "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
c.Spawner.notebook_dir = "~"
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120


def _config_path(spawner) -> str:
    role = "instructor" if spawner.user.name in instructors else "student"
    return os.path.join(state, "jupyter", role)


c.Spawner.environment = {
    "JUPYTER_CONFIG_PATH": _config_path,
    # Terminals in JupyterLab find nbgrader (and the alembic it runs) first.
    "PATH": os.path.join(settings["venv"], "bin") + os.pathsep + os.environ.get("PATH", "/usr/bin:/bin"),
    "IPC_COURSE_POOL_WORKERS": str(settings["workers_per_student"]),
}
