"""Installs the course kernel: the JJava kernel with the course library already on its classpath.

The kernelspec lives in a Jupyter data directory (by default the project's .venv, never the
user's global Jupyter unless asked). It names the exact `java` the set-up was run with, so a
different `java` first on PATH later changes nothing. The library jar and its dependencies are
copied beside kernel.json, so the kernel keeps working after `mvn clean`.

    python tools/kernel.py install --java /usr/lib/jvm/.../bin/java --root .   # into .venv
    python tools/kernel.py install --java ... --root . --user                 # into ~/.local
    python tools/kernel.py uninstall [--user | --prefix DIR]
"""
import argparse
import filecmp
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

KERNEL_NAME = "ipc-course"
DISPLAY_NAME = "Java (IPC course)"
# Imports every notebook gets, so no notebook needs a set-up line. Only packages present in the
# library jar are imported (a missing package would be a compile error in every cell).
STARTUP_PACKAGES = [
    "org.ipccourse.pool", "org.ipccourse.measure", "org.ipccourse.shm", "org.ipccourse.workloads",
    "org.ipccourse.display", "tech.tablesaw.api", "org.knowm.xchart",
]


def jupyter_data_dir(args) -> Path:
    if args.user:
        from jupyter_core.paths import jupyter_data_dir as user_dir
        return Path(user_dir())
    if args.prefix:
        return Path(args.prefix) / "share" / "jupyter"
    return Path(sys.prefix) / "share" / "jupyter"


def packages_in(jar: Path) -> set:
    import zipfile
    with zipfile.ZipFile(jar) as z:
        return {os.path.dirname(n).replace("/", ".") for n in z.namelist() if n.endswith(".class")}


def has_agent(jar: Path) -> bool:
    import zipfile
    with zipfile.ZipFile(jar) as z:
        return b"Premain-Class:" in z.read("META-INF/MANIFEST.MF")


def sync_file(src: Path, dst: Path) -> bool:
    if dst.exists() and filecmp.cmp(src, dst, shallow=False):
        return False
    shutil.copy2(src, dst)
    return True


def make_worker_archive(java: Path, worker_jar: Path) -> None:
    """The pool workers' class-data archive beside the kernel's copy of the worker jar.

    Made by the library itself (org.ipccourse.pool.WorkerArchive: a training pool, a few seconds)
    once per jar and JDK; it prints one line when it made one and nothing when one is up to date.
    Without it the workers start as before, only slower, so a failure is reported, not fatal.
    """
    result = subprocess.run([str(java), "-cp", str(worker_jar), "org.ipccourse.pool.WorkerArchive"],
                            capture_output=True, text=True, timeout=300)
    sys.stdout.write(result.stdout)
    if result.returncode != 0:
        sys.stderr.write(result.stderr)
        print("course: the pool's workers will start without their class-data archive (see above).", file=sys.stderr)


def install(args) -> None:
    root = Path(args.root).resolve()
    java = Path(args.java).resolve()
    lib_jar = root / "lib" / "target" / "ipc-course-lib.jar"
    deps = root / "lib" / "target" / "dependency"
    if not lib_jar.exists() or not deps.is_dir():
        sys.exit(f"course: {lib_jar} is missing; build the library first (mvn package).")
    jjava_jar = Path(sys.prefix) / "share" / "jupyter" / "kernels" / "java" / "jjava.jar"
    if not jjava_jar.exists():
        sys.exit(f"course: the jjava package is not installed in {sys.prefix} (pip install -r tools/requirements.txt).")

    spec_dir = jupyter_data_dir(args) / "kernels" / KERNEL_NAME
    jar_dir = spec_dir / "lib"
    jar_dir.mkdir(parents=True, exist_ok=True)
    # The worker jar (same classes, a class path of what workers use) lies beside the library jar,
    # where the pool looks for it; it is not on the kernel's own class path.
    worker_jar = lib_jar.with_name("ipc-course-lib-worker.jar")
    if not worker_jar.exists():
        sys.exit(f"course: {worker_jar} is missing; build the library again (mvn package).")
    wanted = {lib_jar.name: lib_jar, "jjava.jar": jjava_jar, worker_jar.name: worker_jar}
    # The dependencies in dependency/, as beside the built jar: the worker jar's manifest names the
    # one a worker uses there, so that a worker finds it without opening the kernel's other jars.
    (jar_dir / "dependency").mkdir(exist_ok=True)
    wanted.update({f"dependency/{p.name}": p for p in sorted(deps.glob("*.jar"))})
    changed = [name for name, src in wanted.items() if sync_file(src, jar_dir / name)]
    for stale in set(p.relative_to(jar_dir).as_posix() for p in jar_dir.rglob("*.jar")) - set(wanted):
        (jar_dir / stale).unlink()
        changed.append(stale)
    # the name an earlier version gave its workers' archives (made from the library jar, no longer used)
    for stale in [*jar_dir.glob("ipc-course-lib.worker-*.jsa"), *jar_dir.glob("worker-archive-*.jsa.tmp")]:
        stale.unlink()
        changed.append(stale.name)
    make_worker_archive(java, jar_dir / worker_jar.name)

    library = [str(jar_dir / lib_jar.name)] + [str(jar_dir / n) for n in sorted(wanted) if n.startswith("dependency/")]
    present = packages_in(lib_jar)
    imports = [p for p in STARTUP_PACKAGES if p in present or not p.startswith("org.ipccourse")]
    startup = "\n".join(f"import {p}.*;" for p in imports)
    spec = {
        "argv": [
            str(java),
            # The agent records the bytes of classes defined in notebook cells, for worker JVMs.
            *([f"-javaagent:{jar_dir / lib_jar.name}"] if has_agent(lib_jar) else []),
            "--add-opens", "jdk.jshell/jdk.jshell=ALL-UNNAMED",
            "-Djava.awt.headless=true",
            "-cp", os.pathsep.join([str(jar_dir / "jjava.jar")] + library),
            "org.dflib.jjava.distro.JJava",
            "{connection_file}",
        ],
        "display_name": DISPLAY_NAME,
        "language": "java",
        "interrupt_mode": "message",
        "env": {
            "JJAVA_CLASSPATH": os.pathsep.join(library),
            "JJAVA_STARTUP_SCRIPT": startup,
        },
        "metadata": {"ipc_course": {"java": str(java)}},
    }
    text = json.dumps(spec, indent=2) + "\n"
    kernel_json = spec_dir / "kernel.json"
    if not kernel_json.exists() or kernel_json.read_text() != text:
        kernel_json.write_text(text)
        changed.append("kernel.json")
    if changed:
        print(f"course: kernel '{KERNEL_NAME}' installed in {spec_dir} (java: {java})")


def uninstall(args) -> None:
    spec_dir = jupyter_data_dir(args) / "kernels" / KERNEL_NAME
    if spec_dir.exists():
        shutil.rmtree(spec_dir)
        print(f"course: removed {spec_dir}")
    else:
        print(f"course: no course kernel in {spec_dir}")


def main() -> None:
    parser = argparse.ArgumentParser(description="Install or remove the course kernel.")
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("install", "uninstall"):
        p = sub.add_parser(name)
        where = p.add_mutually_exclusive_group()
        where.add_argument("--user", action="store_true", help="the user's Jupyter (~/.local/share/jupyter)")
        where.add_argument("--prefix", help="the Jupyter data directory under PREFIX/share/jupyter")
        if name == "install":
            p.add_argument("--java", required=True, help="the java executable the kernel runs on")
            p.add_argument("--root", required=True, help="the course checkout")
    args = parser.parse_args()
    install(args) if args.command == "install" else uninstall(args)


if __name__ == "__main__":
    main()
