"""Seal a forked child that runs student code: Landlock file and network rules, no privileges, rlimits.

Linux only. Landlock (kernel 5.13+, unprivileged, the kernel's own sandboxing interface) is called
directly through three system calls with ctypes, so there is no new dependency and no helper binary.
Sealing happens in the forked child, after it has closed every inherited file descriptor and before it
runs the first cell; its descendants inherit the seal and cannot lift it. What the child may do:

- read and execute: the Python installation (sys.prefix, sys.base_prefix, the standard library and
  site-packages), the `escalation` package and the module's `data/` folder, a few system files
  libraries need (shared libraries, time zones, MIME types; see READ_SYSTEM);
- read and write: its own scratch folder (its working folder, HOME, TMPDIR and MPLCONFIGDIR are inside
  it) and /dev/null;
- nothing else: no other folder can be read or listed (exercise sources, other submissions, the output
  folder, the instructor's home), nothing outside the scratch folder can be written, /proc is not granted
  (so the grader's command line, environment and working folder stay unreadable), no TCP connection or
  listening socket (Landlock ABI 4+), no signal to any process outside the sandbox and no abstract unix
  socket (ABI 6+).
When the grader runs as root, the child also drops every capability (bounding set, effective,
permitted, inheritable), so it cannot create device files, load kernel modules or regain privileges
through exec.

`ESCALATION_FORCE_NO_LANDLOCK=1` makes `landlock_abi()` report 0, as on a system without Landlock
(tests use it to check the refusal and the explicit unsealed mode).
"""
from __future__ import annotations

import ctypes
import os
import site
import stat
import sys
import sysconfig
from pathlib import Path

SYS_LANDLOCK_CREATE_RULESET = 444  # the same numbers on every architecture (added in Linux 5.13)
SYS_LANDLOCK_ADD_RULE = 445
SYS_LANDLOCK_RESTRICT_SELF = 446
LANDLOCK_CREATE_RULESET_VERSION = 1
LANDLOCK_RULE_PATH_BENEATH = 1
PR_SET_PDEATHSIG = 1
PR_CAPBSET_DROP = 24
PR_SET_NO_NEW_PRIVS = 38
PR_SET_CHILD_SUBREAPER = 36

# filesystem access rights (include/uapi/linux/landlock.h) and the ABI version that introduced each
FS_EXECUTE, FS_WRITE_FILE, FS_READ_FILE, FS_READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
FS_REMOVE_DIR, FS_REMOVE_FILE, FS_MAKE_CHAR, FS_MAKE_DIR = 1 << 4, 1 << 5, 1 << 6, 1 << 7
FS_MAKE_REG, FS_MAKE_SOCK, FS_MAKE_FIFO, FS_MAKE_BLOCK = 1 << 8, 1 << 9, 1 << 10, 1 << 11
FS_MAKE_SYM, FS_REFER, FS_TRUNCATE, FS_IOCTL_DEV = 1 << 12, 1 << 13, 1 << 14, 1 << 15
NET_BIND_TCP, NET_CONNECT_TCP = 1 << 0, 1 << 1
SCOPE_ABSTRACT_UNIX_SOCKET, SCOPE_SIGNAL = 1 << 0, 1 << 1

READ = FS_EXECUTE | FS_READ_FILE | FS_READ_DIR
FILE_RIGHTS = FS_EXECUTE | FS_WRITE_FILE | FS_READ_FILE | FS_TRUNCATE | FS_IOCTL_DEV
# what the scratch folder allows: everything except device files (a root child could otherwise mknod a disk)
SCRATCH = (FS_EXECUTE | FS_WRITE_FILE | FS_READ_FILE | FS_READ_DIR | FS_REMOVE_DIR | FS_REMOVE_FILE | FS_MAKE_DIR
           | FS_MAKE_REG | FS_MAKE_SOCK | FS_MAKE_FIFO | FS_MAKE_SYM | FS_REFER | FS_TRUNCATE)

# system folders and files that libraries read at run time, found by grading every set sealed with a cell that
# also plots, saves a figure, converts time zones, guesses MIME types and imports sqlite3, keeping the minimum
# that passed: shared libraries of modules a cell imports first, the loader's cache, time zones, MIME types.
READ_SYSTEM = ["/usr/lib", "/usr/lib64", "/lib", "/lib64", "/etc/ld.so.cache", "/usr/share/zoneinfo",
               "/etc/localtime", "/etc/mime.types"]
READ_DEVICES = ["/dev/urandom"]
WRITE_DEVICES = ["/dev/null"]


class SealError(RuntimeError):
    """The child could not be sealed (it must then not run any student code)."""


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64), ("handled_access_net", ctypes.c_uint64),
                ("scoped", ctypes.c_uint64)]


class _PathBeneathAttr(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]


_libc = None


def _lib():
    global _libc
    if _libc is None:
        _libc = ctypes.CDLL(None, use_errno=True)
        _libc.syscall.restype = ctypes.c_long
        _libc.prctl.restype = ctypes.c_int
    return _libc


def landlock_abi() -> int:
    """The Landlock ABI version this kernel offers (0: none, not Linux, or forced off for tests)."""
    if os.environ.get("ESCALATION_FORCE_NO_LANDLOCK") == "1" or not sys.platform.startswith("linux"):
        return 0
    try:
        abi = _lib().syscall(ctypes.c_long(SYS_LANDLOCK_CREATE_RULESET), None, ctypes.c_size_t(0),
                             ctypes.c_uint32(LANDLOCK_CREATE_RULESET_VERSION))
    except (OSError, AttributeError):
        return 0
    return max(0, int(abi))


def unavailable_reason() -> str:
    """Why sealing is not possible here (empty when it is)."""
    if os.environ.get("ESCALATION_FORCE_NO_LANDLOCK") == "1":
        return "Landlock is switched off by ESCALATION_FORCE_NO_LANDLOCK=1"
    if not sys.platform.startswith("linux"):
        return f"this system ({sys.platform}) has no Landlock: it is part of the Linux kernel only"
    if landlock_abi() < 1:
        return (f"this Linux kernel ({os.uname().release}) does not offer Landlock (it needs Linux 5.13 or newer "
                "with Landlock enabled, as on current Debian, Ubuntu and Fedora)")
    return ""


UNSEALED_WARNING = (
    "Without the seal, student code runs with YOUR permissions: it can read every file you can read (the "
    "exercise sources with their solutions and hidden tests, other students' submissions, the grading output), "
    "write anywhere you can write (including other students' saved results and your home folder), open network "
    "connections and signal your processes. Memory, time, file-size and process limits still apply.")


def _existing(paths) -> list[str]:
    out = []
    for p in paths:
        if p and os.path.exists(p):
            real = os.path.realpath(p)
            if real not in out:
                out.append(real)
    return out


def read_paths() -> list[str]:
    """Folders and files the sealed child may read (derived at run time from this Python and package)."""
    from .. import paths as escalation_paths

    package = Path(__file__).resolve().parents[1]
    # a Python's own folder (a virtual environment, pyenv or conda) is granted whole; a shared system root
    # (/usr for Debian's python3) is not: only its standard library and site-packages are
    shared_roots = {"/", "/usr", "/usr/local", "/opt", os.path.realpath(os.path.expanduser("~"))}
    python = [p for p in (sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix)
              if os.path.realpath(p) not in shared_roots]
    python += [sysconfig.get_paths().get(k) for k in ("stdlib", "platstdlib", "purelib", "platlib")]
    python += [sysconfig.get_paths(vars={"base": sys.base_prefix, "platbase": sys.base_exec_prefix}).get(k)
               for k in ("stdlib", "platstdlib")]
    python += list(site.getsitepackages()) + [site.getusersitepackages() if site.ENABLE_USER_SITE else ""]
    python += [os.path.dirname(os.path.realpath(sys.executable))]
    try:
        data = [str(escalation_paths.data_dir())]
    except Exception:  # noqa: BLE001 - no data folder: nothing to grant
        data = []
    return _existing(python + [str(package)] + data + READ_SYSTEM + READ_DEVICES)


def _add_rule(ruleset: int, path: str, access: int, abi_mask: int) -> None:
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except OSError:
        return
    try:
        if not stat.S_ISDIR(os.fstat(fd).st_mode):
            access &= FILE_RIGHTS
        attr = _PathBeneathAttr(access & abi_mask, fd)
        if _lib().syscall(ctypes.c_long(SYS_LANDLOCK_ADD_RULE), ctypes.c_int(ruleset),
                          ctypes.c_int(LANDLOCK_RULE_PATH_BENEATH), ctypes.byref(attr), ctypes.c_uint32(0)) != 0:
            err = ctypes.get_errno()
            raise SealError(f"landlock_add_rule({path}) failed: {os.strerror(err)}")
    finally:
        os.close(fd)


def _fs_mask(abi: int) -> int:
    mask = (1 << 13) - 1  # ABI 1: rights 0-12
    if abi >= 2:
        mask |= FS_REFER
    if abi >= 3:
        mask |= FS_TRUNCATE
    if abi >= 5:
        mask |= FS_IOCTL_DEV
    return mask


def drop_capabilities() -> None:
    """Drop every capability for good (bounding set first, then effective/permitted/inheritable).

    As root, and in a new user namespace (whose creator holds every capability inside it), whatever the uid."""
    libc = _lib()
    try:
        last = int(Path("/proc/sys/kernel/cap_last_cap").read_text())
    except (OSError, ValueError):
        last = 63
    for cap in range(last + 1):  # fails harmlessly without CAP_SETPCAP (an unprivileged process outside a namespace)
        libc.prctl(PR_CAPBSET_DROP, ctypes.c_ulong(cap), 0, 0, 0)
    header = _CapHeader(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3
    data = (_CapData * 2)()
    if libc.capset(ctypes.byref(header), data) != 0:
        raise SealError(f"capset failed: {os.strerror(ctypes.get_errno())}")


def seal(scratch: str, readable: list[str], abi: int) -> None:
    """Restrict the calling process (and its future children) for good; raise SealError when it cannot."""
    if abi < 1:
        raise SealError("Landlock is not available")
    libc = _lib()
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise SealError(f"prctl(NO_NEW_PRIVS) failed: {os.strerror(ctypes.get_errno())}")
    drop_capabilities()
    fs_mask = _fs_mask(abi)
    attr = _RulesetAttr(fs_mask, NET_BIND_TCP | NET_CONNECT_TCP if abi >= 4 else 0,
                        SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL if abi >= 6 else 0)
    size = 24 if abi >= 6 else 16 if abi >= 4 else 8
    ruleset = libc.syscall(ctypes.c_long(SYS_LANDLOCK_CREATE_RULESET), ctypes.byref(attr), ctypes.c_size_t(size),
                           ctypes.c_uint32(0))
    if ruleset < 0:
        raise SealError(f"landlock_create_ruleset failed: {os.strerror(ctypes.get_errno())}")
    try:
        for path in readable:
            _add_rule(ruleset, path, READ, fs_mask)
        for path in WRITE_DEVICES:
            _add_rule(ruleset, path, FS_READ_FILE | FS_WRITE_FILE | FS_TRUNCATE | FS_IOCTL_DEV, fs_mask)
        _add_rule(ruleset, scratch, SCRATCH, fs_mask)
        if libc.syscall(ctypes.c_long(SYS_LANDLOCK_RESTRICT_SELF), ctypes.c_int(ruleset), ctypes.c_uint32(0)) != 0:
            raise SealError(f"landlock_restrict_self failed: {os.strerror(ctypes.get_errno())}")
    finally:
        os.close(ruleset)


CLONE_NEWNS, CLONE_NEWUSER, CLONE_NEWPID = 0x00020000, 0x10000000, 0x20000000
MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REC, MS_PRIVATE = 2, 4, 8, 1 << 14, 1 << 18
DISK_BYTES = 64 * 1024 ** 2  # a submission's scratch space: bytes and files (tmpfs size and nr_inodes)
DISK_FILES = 2000


def enter_namespaces(scratch: str, disk_bytes: int = DISK_BYTES, files: int = DISK_FILES, pid: bool = True) -> None:
    """Move the calling (single-threaded) process into new user, PID and mount namespaces, with a size- and
    inode-limited tmpfs over `scratch`; raise SealError when the kernel refuses.

    The caller's next child becomes PID 1 of the new PID namespace: when it dies, the kernel kills every
    process left in the namespace (a `setsid` grandchild included), so nothing a submission started survives
    it. The tmpfs lives only in this mount namespace and vanishes with its last process; Landlock's rules must
    be made after this call, so that they name the tmpfs, not the folder beneath it. With `pid=False` (a
    process that runs no student code and starts none) no PID namespace is made.
    """
    libc = _lib()
    uid, gid = os.getuid(), os.getgid()
    if libc.unshare(ctypes.c_int(CLONE_NEWUSER | CLONE_NEWNS | (CLONE_NEWPID if pid else 0))) != 0:
        raise SealError(f"unshare(user, PID and mount namespaces) failed: {os.strerror(ctypes.get_errno())}")
    try:
        for name, text in (("setgroups", "deny"), ("uid_map", f"{uid} {uid} 1"), ("gid_map", f"{gid} {gid} 1")):
            with open(f"/proc/self/{name}", "w") as handle:
                handle.write(text)
    except OSError as exc:
        raise SealError(f"the user namespace's id maps could not be written: {exc.strerror}") from None
    if libc.mount(b"none", b"/", None, ctypes.c_ulong(MS_REC | MS_PRIVATE), None) != 0:
        raise SealError(f"the mounts could not be made private: {os.strerror(ctypes.get_errno())}")
    options = f"size={int(disk_bytes)},nr_inodes={int(files)},mode=0700".encode()
    if libc.mount(b"tmpfs", os.fsencode(scratch), b"tmpfs", ctypes.c_ulong(MS_NOSUID | MS_NODEV), options) != 0:
        raise SealError(f"the scratch space could not be mounted: {os.strerror(ctypes.get_errno())}")


def disk_full(scratch: str, margin: int = 64 * 1024) -> bool:
    """Whether the tmpfs over `scratch` ran out of bytes or files (called in its mount namespace)."""
    try:
        st = os.statvfs(scratch)
    except OSError:
        return False
    return st.f_bavail * st.f_frsize < margin or (st.f_files > 0 and st.f_ffree == 0)


_namespaces: bool | None = None


def namespaces_available() -> bool:
    """Whether unprivileged user, PID and mount namespaces work here (tried once in a forked child)."""
    global _namespaces
    if _namespaces is None:
        if not sys.platform.startswith("linux") or os.environ.get("ESCALATION_FORCE_NO_NAMESPACES") == "1":
            _namespaces = False
        else:
            import tempfile

            with tempfile.TemporaryDirectory() as probe:
                pid = os.fork()
                if pid == 0:
                    try:
                        enter_namespaces(probe, 1024 * 1024, 16)
                        os._exit(0)
                    except BaseException:  # noqa: BLE001
                        os._exit(1)
                _, status = os.waitpid(pid, 0)
                _namespaces = os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
    return _namespaces


def set_parent_death_signal(sig: int) -> None:
    """Ask the kernel to send `sig` to this process when its parent (thread) dies (Linux; no-op elsewhere)."""
    if sys.platform.startswith("linux"):
        _lib().prctl(PR_SET_PDEATHSIG, ctypes.c_ulong(sig), 0, 0, 0)


def set_child_subreaper() -> bool:
    """Make orphaned descendants of this process its own children (Linux), so it can reap and kill them."""
    if not sys.platform.startswith("linux"):
        return False
    return _lib().prctl(PR_SET_CHILD_SUBREAPER, ctypes.c_ulong(1), 0, 0, 0) == 0


def inside(path: str | Path, folders: list[str]) -> str:
    """The first of `folders` that is `path` or contains it, else ""."""
    target = os.path.realpath(str(path))
    for folder in folders:
        if target == folder or target.startswith(folder.rstrip("/") + "/"):
            return folder
    return ""
