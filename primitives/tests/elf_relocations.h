// Reads one section of an x86-64 relocatable object (.o) with the targets of
// its 32-bit PC-relative relocations, for opcode_test's exception-table checks.
//
// Read from the ELF file itself, not from a disassembler's rendering. In a .o
// a self-relative word `.long X - .` is an R_X86_64_PC32 relocation whose
// target is S + A (no -4); a jmp's rel32 is one whose target is S + A + 4
// (the CPU adds the address of the next instruction, 4 bytes on).
#pragma once

#include <elf.h>

#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace vmxb::test {

inline std::string hex(uint64_t v) {
  std::ostringstream os;
  os << "0x" << std::hex << v;
  return os.str();
}

struct Target {
  std::string section;
  uint64_t offset = 0;  // S + A
};

struct RelocatedSection {
  bool present = false;
  std::string bytes;                   // the section's contents
  std::map<uint64_t, Target> pc32;     // offset in the section -> S + A
  std::vector<std::string> errors;     // malformed object, other relocation types
};

inline RelocatedSection read_relocated_section(const std::string& path, const std::string& name) {
  RelocatedSection out;
  std::ifstream in(path, std::ios::binary);
  const std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto fail = [&](const std::string& why) {
    out.errors.push_back(path + ": " + why);
    return out;
  };
  // Every read is bounds-checked: a truncated object must fail the test, not crash it.
  auto read = [&](auto& value, uint64_t offset) {
    if (offset > data.size() || data.size() - offset < sizeof(value)) return false;
    std::memcpy(&value, data.data() + offset, sizeof(value));
    return true;
  };
  Elf64_Ehdr eh;
  if (!read(eh, 0) || std::memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
      eh.e_ident[EI_DATA] != ELFDATA2LSB || eh.e_machine != EM_X86_64 || eh.e_shentsize != sizeof(Elf64_Shdr))
    return fail("not a little-endian x86-64 ELF64 object");
  std::vector<Elf64_Shdr> sh(eh.e_shnum);
  for (size_t i = 0; i < sh.size(); ++i)
    if (!read(sh[i], eh.e_shoff + i * sizeof(Elf64_Shdr))) return fail("truncated section headers");
  if (eh.e_shstrndx >= sh.size()) return fail("no section name table");
  auto section_name = [&](size_t i) -> std::string {
    const uint64_t at = sh[eh.e_shstrndx].sh_offset + sh[i].sh_name;
    return at < data.size() ? std::string(data.c_str() + at) : "?";
  };
  size_t wanted = 0, symtab = 0;
  for (size_t i = 1; i < sh.size(); ++i) {
    if (section_name(i) == name) wanted = i;
    if (sh[i].sh_type == SHT_SYMTAB) symtab = i;
  }
  if (wanted == 0) return out;
  out.present = true;
  if (sh[wanted].sh_offset > data.size() || data.size() - sh[wanted].sh_offset < sh[wanted].sh_size)
    return fail(name + " is truncated");
  out.bytes = data.substr(sh[wanted].sh_offset, sh[wanted].sh_size);
  if (symtab == 0) return fail("no symbol table");
  for (size_t r = 1; r < sh.size(); ++r) {
    if (sh[r].sh_type == SHT_REL && sh[r].sh_info == wanted) return fail("REL (not RELA) relocations for " + name);
    if (sh[r].sh_type != SHT_RELA || sh[r].sh_info != wanted) continue;
    for (uint64_t off = 0; off + sizeof(Elf64_Rela) <= sh[r].sh_size; off += sizeof(Elf64_Rela)) {
      Elf64_Rela rela;
      Elf64_Sym sym;
      if (!read(rela, sh[r].sh_offset + off) ||
          !read(sym, sh[symtab].sh_offset + ELF64_R_SYM(rela.r_info) * sizeof(Elf64_Sym)))
        return fail("truncated relocation or symbol");
      const std::string where = name + "+" + hex(rela.r_offset);
      const auto type = ELF64_R_TYPE(rela.r_info);
      if (type != R_X86_64_PC32 && type != R_X86_64_PLT32) {
        out.errors.push_back("relocation at " + where + " has type " + std::to_string(type) + ", not PC32");
      } else if (sym.st_shndx == SHN_UNDEF || sym.st_shndx >= sh.size()) {
        out.errors.push_back("relocation at " + where + " is against no section");
      } else if (!out.pc32
                      .emplace(rela.r_offset,
                               Target{section_name(sym.st_shndx), sym.st_value + static_cast<uint64_t>(rela.r_addend)})
                      .second) {
        out.errors.push_back("two relocations at " + where);
      }
    }
  }
  return out;
}

}  // namespace vmxb::test
