"""The set-up: pinned versions agree, the kernelspec is right, bad machines get one clear line."""
import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
COURSE = ROOT / "course"


def pins_of_requirements() -> dict:
    pins = {}
    for line in (ROOT / "tools" / "requirements.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, version = line.split("==")
            pins[name.lower()] = version
    return pins


def test_environment_yml_pins_the_same_python_packages_as_requirements():
    text = (ROOT / "environment.yml").read_text()
    pip_section = text.split("- pip:", 1)[1]
    conda_pins = {m.group(1).lower(): m.group(2) for m in re.finditer(r"-\s*([\w.-]+)==([\w.]+)", pip_section)}
    assert conda_pins == pins_of_requirements(), \
        f"environment.yml pip pins {conda_pins} differ from tools/requirements.txt {pins_of_requirements()}"
    lab = re.search(r"-\s*jupyterlab=([\w.]+)\s*$", text.split("- pip:", 1)[0], re.MULTILINE)
    assert lab and lab.group(1) == pins_of_requirements()["jupyterlab"], "environment.yml's conda jupyterlab differs from the pip pin"


def test_installed_packages_match_the_pins():
    from importlib.metadata import version
    for name, pinned in pins_of_requirements().items():
        assert version(name) == pinned, f"{name} {version(name)} is installed in .venv, but {pinned} is pinned"


def test_kernelspec_names_the_java_the_setup_ran_with_and_lives_in_the_venv():
    spec_path = Path(sys.prefix) / "share" / "jupyter" / "kernels" / "ipc-course" / "kernel.json"
    spec = json.loads(spec_path.read_text())
    java = Path(spec["argv"][0])
    assert java.is_absolute() and java.name == "java" and os.access(java, os.X_OK), f"kernel java {java} is not an absolute, executable java"
    expected_home = os.environ.get("JAVA_HOME")
    if expected_home:
        assert java.resolve() == (Path(expected_home) / "bin" / "java").resolve(), \
            f"the kernel runs {java}, but the set-up ran with JAVA_HOME={expected_home}"
    classpath = spec["argv"][spec["argv"].index("-cp") + 1].split(os.pathsep)
    assert all(Path(p).is_relative_to(spec_path.parent) and Path(p).exists() for p in classpath), \
        "the kernel classpath must point at jars copied beside kernel.json"


KERNEL_DIR = Path(sys.prefix) / "share" / "jupyter" / "kernels" / "ipc-course"


def install_kernel_again() -> subprocess.CompletedProcess:
    spec = json.loads((KERNEL_DIR / "kernel.json").read_text())
    return subprocess.run([sys.executable, str(ROOT / "tools" / "kernel.py"), "install",
                           "--java", spec["argv"][0], "--root", str(ROOT)],
                          capture_output=True, text=True, check=True, timeout=120)


def test_kernel_install_makes_the_workers_archive_and_removes_the_old_kind():
    # an earlier version made the workers an archive of the library jar; set-up removes it, and
    # makes the archive of the worker jar (WorkerArchive), which a worker's JVM maps
    lib = KERNEL_DIR / "lib"
    assert (lib / "ipc-course-lib.jar").is_file(), f"the kernel's copy of the library jar is missing from {lib}"
    stale = lib / "ipc-course-lib.worker-0badcafe.jsa"
    stale.write_bytes(b"stale")
    try:
        install_kernel_again()
        assert not stale.exists(), f"set-up left the old kind of archive in {lib}"
    finally:
        stale.unlink(missing_ok=True)
    worker_jar = lib / "ipc-course-lib-worker.jar"
    archives = sorted(lib.glob("ipc-course-lib-worker.*.jsa"))
    assert len(archives) == 1, f"expected the workers' archive beside {worker_jar}: {sorted(p.name for p in lib.iterdir())}"
    assert archives[0].stat().st_mtime >= worker_jar.stat().st_mtime, "the archive is older than the worker jar"
    assert not list(lib.glob("*.jsa.tmp")), "set-up left a temporary archive behind"
    java = json.loads((KERNEL_DIR / "kernel.json").read_text())["argv"][0]
    # -Xshare:on fails the JVM if it cannot map the archive; the class path goes on after the worker
    # jar, as a worker's does (the owner's entries follow it)
    mapped = subprocess.run([java, "-Xshare:on", f"-XX:SharedArchiveFile={archives[0]}",
                             "-cp", os.pathsep.join([str(worker_jar), str(lib / "jjava.jar")]),
                             "org.ipccourse.pool.WorkerArchive", "--mapped"],
                            capture_output=True, text=True, timeout=60)
    assert mapped.returncode == 0, f"a JVM could not map {archives[0]}: {mapped.stdout}{mapped.stderr}"


def test_kernel_install_twice_changes_nothing():
    result = install_kernel_again()
    assert result.stdout == "", f"a second install should change nothing, but printed: {result.stdout!r}"


def run_course_with(env_changes: dict) -> subprocess.CompletedProcess:
    env = dict(os.environ, **env_changes)
    return subprocess.run([str(COURSE), "open"], capture_output=True, text=True, env=env, timeout=60)


def test_a_java_home_without_java_stops_with_one_clear_line(tmp_path):
    result = run_course_with({"JAVA_HOME": str(tmp_path)})
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "has no bin/java" in lines[0], result.stderr


def test_a_too_old_java_stops_with_one_clear_line(tmp_path):
    fake = tmp_path / "bin" / "java"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\necho '    java.specification.version = 11' >&2\n")
    fake.chmod(0o755)
    result = run_course_with({"JAVA_HOME": str(tmp_path)})
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Java 11" in lines[0] and "17 or newer" in lines[0], result.stderr


def test_missing_maven_stops_with_one_clear_line(tmp_path):
    # A PATH with python3 and the basic tools, but no mvn.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("bash", "python3", "readlink", "grep", "tail", "mktemp", "cp", "dirname", "sed", "cat", "head", "ls", "fc-list", "cmp", "find"):
        found = subprocess.run(["sh", "-c", f"command -v {tool}"], capture_output=True, text=True).stdout.strip()
        if found:
            (bin_dir / tool).symlink_to(found)
    java_home = Path(json.loads((Path(sys.prefix) / "share/jupyter/kernels/ipc-course/kernel.json").read_text())["argv"][0]).parents[1]
    result = run_course_with({"PATH": str(bin_dir), "JAVA_HOME": str(java_home)})
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Maven (mvn) is missing" in lines[0], result.stderr


def path_with_fake(tmp_path, name: str, script: str) -> str:
    fake_dir = tmp_path / "fake-bin"
    fake_dir.mkdir(exist_ok=True)
    fake = fake_dir / name
    fake.write_text("#!/bin/sh\n" + script + "\n")
    fake.chmod(0o755)
    return f"{fake_dir}{os.pathsep}{os.environ['PATH']}"


def test_a_machine_without_fonts_stops_with_one_clear_line(tmp_path):
    result = run_course_with({"PATH": path_with_fake(tmp_path, "fc-list", "exit 0")})
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "no fonts" in lines[0] and "apt-get install" in lines[0], result.stderr


def test_a_python_without_venv_stops_with_one_clear_line(tmp_path):
    script = 'case "$*" in *"import venv"*) exit 1;; esac; exec ' + sys.executable + ' "$@"'
    result = run_course_with({"PATH": path_with_fake(tmp_path, "python3", script)})
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "no venv module" in lines[0], result.stderr
