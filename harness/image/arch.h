// x86 privileged instructions the image uses directly (ring 0, no OS).
#pragma once

#include "primitives/control_registers.h"
#include "primitives/cpuid_bits.h"
#include "primitives/types.h"

namespace vmxb::image {

struct CpuidRegs {
  u32 eax, ebx, ecx, edx;
};

inline CpuidRegs cpuid(u32 leaf, u32 subleaf = 0) {
  CpuidRegs r;
  asm volatile("cpuid" : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx) : "a"(leaf), "c"(subleaf));
  return r;
}

// The register of a CPUID output that holds `b`.
constexpr u32 cpuid_register(const CpuidRegs& r, CpuidReg reg) {
  switch (reg) {
    case CpuidReg::kEax: return r.eax;
    case CpuidReg::kEbx: return r.ebx;
    case CpuidReg::kEcx: return r.ecx;
    case CpuidReg::kEdx: return r.edx;
  }
  return 0;
}

// Whether this CPU reports feature `b`. The caller checks that the leaf exists
// (leaf 0 / 80000000H report the highest one).
inline bool cpuid_has(const CpuidBit& b) { return b.in(cpuid_register(cpuid(b.leaf), b.reg)); }

inline u64 rdmsr_unchecked(u32 index) {
  u32 lo, hi;
  asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(index));
  return (u64{hi} << 32) | lo;
}

inline void wrmsr_unchecked(u32 index, u64 value) {
  asm volatile("wrmsr" : : "c"(index), "a"(static_cast<u32>(value)), "d"(static_cast<u32>(value >> 32)) : "memory");
}

inline u64 read_cr0() { u64 v; asm volatile("mov %%cr0, %0" : "=r"(v)); return v; }
inline u64 read_cr4() { u64 v; asm volatile("mov %%cr4, %0" : "=r"(v)); return v; }
inline void write_cr0(u64 v) { asm volatile("mov %0, %%cr0" : : "r"(v) : "memory"); }
inline void write_cr4(u64 v) { asm volatile("mov %0, %%cr4" : : "r"(v) : "memory"); }

inline void outb(u16 port, u8 value) { asm volatile("outb %0, %1" : : "a"(value), "Nd"(port)); }
inline u8 inb(u16 port) { u8 v; asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }

}  // namespace vmxb::image
