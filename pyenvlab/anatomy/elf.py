"""A small reader for the dynamic-linking parts of ELF files (stdlib ``struct`` only).

Why our own parser rather than pyelftools: we read exactly five things, all from sections whose
layout has been fixed since the 1990s (``.dynamic``, ``.dynsym`` with its string table,
``.gnu.version``, ``.gnu.version_r`` and ``.gnu.version_d``). That is ~250 lines with no
dependency, works on any interpreter the tutorial uses, and keeps ``pyenvlab.abi`` importable
on a fresh machine with only the standard library. The tests check every symbol version we report
against ``objdump -T``.

Nothing here executes or loads the file (``ldd`` may run the binary; see ldd(1)).

Example:
    >>> info = read_elf("/usr/lib/x86_64-linux-gnu/libc.so.6")            # doctest: +SKIP
    >>> "GLIBC_2.34" in info.version_definitions                          # doctest: +SKIP
    True
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from pathlib import Path

from pyenvlab.errors import PyenvlabError

__all__ = ["ElfError", "ElfInfo", "VersionedSymbol", "elf_hash", "find_version_need", "is_elf", "read_elf"]

ELF_MAGIC = b"\x7fELF"
SHT_DYNAMIC = 6
SHT_DYNSYM = 11
SHT_GNU_VERDEF = 0x6FFFFFFD
SHT_GNU_VERNEED = 0x6FFFFFFE
SHT_GNU_VERSYM = 0x6FFFFFFF
DT_NULL, DT_NEEDED, DT_SONAME, DT_RPATH, DT_RUNPATH = 0, 1, 14, 15, 29
VER_FLG_WEAK = 0x2
STB_WEAK = 2
MACHINES = {3: "x86", 40: "arm", 62: "x86_64", 183: "aarch64", 21: "ppc64", 22: "s390x", 243: "riscv"}


class ElfError(PyenvlabError):
    """The file is not an ELF shared object we can read."""


@dataclass(frozen=True)
class VersionedSymbol:
    """An undefined dynamic symbol bound to a version another library must define."""

    symbol: str
    version: str  # "GLIBC_2.29"
    library: str  # the DT_NEEDED name the version belongs to ("libm.so.6")
    weak: bool


@dataclass
class ElfInfo:
    """What the dynamic loader reads from one ELF file."""

    path: str
    elf_class: int  # 32 or 64
    little_endian: bool
    machine: str
    soname: str | None = None
    needed: list[str] = field(default_factory=list)
    rpath: list[str] = field(default_factory=list)
    runpath: list[str] = field(default_factory=list)
    #: library -> versions it must define, from .gnu.version_r (in file order)
    version_needs: dict[str, list[str]] = field(default_factory=dict)
    #: versions this file defines itself (.gnu.version_d), e.g. libc's GLIBC_2.2.5 ... GLIBC_2.36
    version_definitions: list[str] = field(default_factory=list)
    symbols: list[VersionedSymbol] = field(default_factory=list)
    #: versions whose vna_flags carry VER_FLG_WEAK
    weak_versions: set[tuple[str, str]] = field(default_factory=set)


def elf_hash(name: bytes) -> int:
    """The System V ELF hash of ``name`` (the ``vna_hash`` of a version requirement)."""
    h = 0
    for byte in name:
        h = (h << 4) + byte
        g = h & 0xF0000000
        if g:
            h ^= g >> 24
        h &= ~g & 0xFFFFFFFF
    return h


def is_elf(path: str | Path) -> bool:
    """Whether ``path`` starts with the ELF magic number."""
    try:
        with open(path, "rb") as stream:
            return stream.read(4) == ELF_MAGIC
    except OSError:
        return False


class _Reader:
    def __init__(self, data: bytes, path: str) -> None:
        self.data = data
        self.path = path
        if data[:4] != ELF_MAGIC:
            raise ElfError(f"{path} is not an ELF file")
        if data[4] not in (1, 2) or data[5] not in (1, 2):
            raise ElfError(f"{path}: unknown ELF class or byte order")
        self.bits = 64 if data[4] == 2 else 32
        self.endian = "<" if data[5] == 1 else ">"

    def unpack(self, fmt: str, offset: int) -> tuple[int, ...]:
        try:
            return struct.unpack_from(self.endian + fmt, self.data, offset)
        except struct.error:
            raise ElfError(f"{self.path}: truncated ELF data at offset {offset}") from None

    def cstring(self, offset: int) -> str:
        end = self.data.find(b"\0", offset)
        if offset < 0 or offset >= len(self.data) or end < 0:
            raise ElfError(f"{self.path}: string offset {offset} out of range")
        return self.data[offset:end].decode("utf-8", "replace")


def _sections(r: _Reader) -> list[tuple[int, int, int, int, int, int]]:
    """(type, offset, size, link, info, entsize) of each section header."""
    if r.bits == 64:
        e_shoff = r.unpack("Q", 0x28)[0]
        e_shentsize, e_shnum = r.unpack("HH", 0x3A)
        fmt, picks = "IIQQQQIIQQ", (1, 4, 5, 6, 7, 9)
    else:
        e_shoff = r.unpack("I", 0x20)[0]
        e_shentsize, e_shnum = r.unpack("HH", 0x2E)
        fmt, picks = "IIIIIIIIII", (1, 4, 5, 6, 7, 9)
    if e_shoff == 0 or e_shnum == 0:
        raise ElfError(f"{r.path}: no section headers (cannot read its dynamic symbols)")
    out = []
    for index in range(e_shnum):
        raw = r.unpack(fmt, e_shoff + index * e_shentsize)
        out.append(tuple(raw[i] for i in picks))
    return out  # type: ignore[return-value]


def _verneed_entries(r: _Reader, offset: int, count: int, strtab: int):
    """Yield (file, name, hash, flags, other, aux_offset) for each .gnu.version_r entry."""
    pos = offset
    for _ in range(count):
        _vn_version, vn_cnt, vn_file, vn_aux, vn_next = r.unpack("HHIII", pos)
        library = r.cstring(strtab + vn_file)
        aux = pos + vn_aux
        for _ in range(vn_cnt):
            vna_hash, vna_flags, vna_other, vna_name, vna_next = r.unpack("IHHII", aux)
            yield library, r.cstring(strtab + vna_name), vna_hash, vna_flags, vna_other, aux
            if not vna_next:
                break
            aux += vna_next
        if not vn_next:
            break
        pos += vn_next


def read_elf(path: str | Path) -> ElfInfo:
    """Read the dynamic section, symbol versions and version definitions of an ELF file.

    Raises:
        ElfError: for a file that is not ELF, is truncated, or has no section headers.
    """
    path = str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ElfError(f"cannot read {path}: {exc.strerror or exc}") from None
    r = _Reader(data, path)
    e_machine = r.unpack("H", 0x12)[0]
    info = ElfInfo(path, r.bits, r.endian == "<", MACHINES.get(e_machine, f"machine {e_machine}"))
    sections = _sections(r)

    def first(kind: int) -> tuple[int, int, int, int, int, int] | None:
        return next((s for s in sections if s[0] == kind), None)

    def strtab_of(section: tuple[int, ...]) -> int:
        if section[3] >= len(sections):
            raise ElfError(f"{path}: bad string table link {section[3]}")
        return sections[section[3]][1]

    dynamic = first(SHT_DYNAMIC)
    if dynamic is not None:
        _read_dynamic(r, info, dynamic, strtab_of(dynamic))
    index_to_need: dict[int, tuple[str, str]] = {}
    verneed = first(SHT_GNU_VERNEED)
    if verneed is not None:
        for library, name, _hash, flags, other, _aux in _verneed_entries(
            r, verneed[1], verneed[4], strtab_of(verneed)
        ):
            info.version_needs.setdefault(library, []).append(name)
            index_to_need[other] = (library, name)
            if flags & VER_FLG_WEAK:
                info.weak_versions.add((library, name))
    verdef = first(SHT_GNU_VERDEF)
    if verdef is not None:
        _read_verdef(r, info, verdef, strtab_of(verdef))
    dynsym, versym = first(SHT_DYNSYM), first(SHT_GNU_VERSYM)
    if dynsym is not None and versym is not None and index_to_need:
        _read_symbols(
            r, info, dynsym, versym_offset=versym[1], strtab=strtab_of(dynsym), index_to_need=index_to_need
        )
    return info


def _read_dynamic(r: _Reader, info: ElfInfo, dynamic: tuple[int, ...], strtab: int) -> None:
    fmt, size = ("qQ", 16) if r.bits == 64 else ("iI", 8)
    for index in range(dynamic[2] // size):
        tag, value = r.unpack(fmt, dynamic[1] + index * size)
        if tag == DT_NULL:
            break
        if tag == DT_NEEDED:
            info.needed.append(r.cstring(strtab + value))
        elif tag == DT_SONAME:
            info.soname = r.cstring(strtab + value)
        elif tag == DT_RPATH:
            info.rpath += r.cstring(strtab + value).split(":")
        elif tag == DT_RUNPATH:
            info.runpath += r.cstring(strtab + value).split(":")


def _read_verdef(r: _Reader, info: ElfInfo, verdef: tuple[int, ...], strtab: int) -> None:
    pos = verdef[1]
    for _ in range(verdef[4]):
        _v, flags, _ndx, _cnt, _hash, vd_aux, vd_next = r.unpack("HHHHIII", pos)
        vda_name = r.unpack("I", pos + vd_aux)[0]
        if not flags & 0x1:  # VER_FLG_BASE names the file itself, not a version
            info.version_definitions.append(r.cstring(strtab + vda_name))
        if not vd_next:
            break
        pos += vd_next


def _read_symbols(
    r: _Reader,
    info: ElfInfo,
    dynsym: tuple[int, ...],
    *,
    versym_offset: int,
    strtab: int,
    index_to_need: dict[int, tuple[str, str]],
) -> None:
    entsize = dynsym[5] or (24 if r.bits == 64 else 16)
    for index in range(dynsym[2] // entsize):
        base = dynsym[1] + index * entsize
        if r.bits == 64:
            st_name, st_info, _other, st_shndx = r.unpack("IBBH", base)
        else:
            st_name, _value, _size, st_info, _other, st_shndx = r.unpack("IIIBBH", base)
        if st_shndx != 0 or st_name == 0:  # defined here, or the null symbol
            continue
        need = index_to_need.get(r.unpack("H", versym_offset + 2 * index)[0] & 0x7FFF)
        if need is None:
            continue
        weak = (st_info >> 4) == STB_WEAK or need in info.weak_versions
        info.symbols.append(VersionedSymbol(r.cstring(strtab + st_name), need[1], need[0], weak))


def find_version_need(path: str | Path, version: str) -> tuple[int, int, int] | None:
    """Where ``version`` is required in ``path``: (file offset of its vna entry, offset of its name
    string, length of the name) or ``None``. Used to make a copy that needs another version."""
    data = Path(path).read_bytes()
    r = _Reader(data, str(path))
    sections = _sections(r)
    verneed = next((s for s in sections if s[0] == SHT_GNU_VERNEED), None)
    if verneed is None:
        return None
    strtab = sections[verneed[3]][1]
    for _library, name, _hash, _flags, _other, aux in _verneed_entries(r, verneed[1], verneed[4], strtab):
        if name == version:
            vna_name = r.unpack("I", aux + 8)[0]
            return aux, strtab + vna_name, len(name)
    return None


def rewrite_version_need(path: str | Path, old: str, new: str) -> None:
    """Edit ``path`` in place so that it requires version ``new`` where it required ``old``.

    This is how the tutorial's failure is reproduced on any machine: a copy of a real extension
    module that needs ``GLIBC_2.99`` fails to import with "version `GLIBC_2.99' not found". The
    new name must not be longer than the old one (it is written over the old string), and the
    requirement's ``vna_hash`` is recomputed, because the loader compares hashes first.

    Raises:
        ElfError: if ``path`` does not require ``old`` or ``new`` does not fit.
    """
    where = find_version_need(path, old)
    if where is None:
        raise ElfError(f"{path} does not require version {old!r}")
    aux, name_offset, length = where
    encoded = new.encode("ascii")
    if len(encoded) > length:
        raise ElfError(f"version name {new!r} is longer than {old!r}; it cannot be written in place")
    data = bytearray(Path(path).read_bytes())
    endian = "<" if data[5] == 1 else ">"
    data[name_offset : name_offset + length] = encoded.ljust(length, b"\0")
    struct.pack_into(endian + "I", data, aux, elf_hash(encoded))
    Path(path).write_bytes(bytes(data))
