// CR0 and CR4 bits (SDM Vol. 3A 2.5 "Control Registers"): the bits VMX
// operation constrains (IA32_VMX_CR0/CR4_FIXED0/1, Vol. 3C A.7, A.8) and the
// ones the image and the kernel module set.
#pragma once

#include "primitives/named_bits.h"

namespace vmxb {

namespace cr0 {
inline constexpr CrBit kPe{0, "PE"};
inline constexpr CrBit kMp{1, "MP"};
inline constexpr CrBit kEm{2, "EM"};
inline constexpr CrBit kTs{3, "TS"};
inline constexpr CrBit kEt{4, "ET"};
inline constexpr CrBit kNe{5, "NE"};
inline constexpr CrBit kWp{16, "WP"};
inline constexpr CrBit kAm{18, "AM"};
inline constexpr CrBit kNw{29, "NW"};
inline constexpr CrBit kCd{30, "CD"};
inline constexpr CrBit kPg{31, "PG"};
}  // namespace cr0

inline constexpr CrBit kCr0Bits[] = {cr0::kPe, cr0::kMp, cr0::kEm, cr0::kTs, cr0::kEt, cr0::kNe,
                                     cr0::kWp, cr0::kAm, cr0::kNw, cr0::kCd, cr0::kPg};
inline constexpr ReservedBits kCr0Reserved[] = {{15, 6}, {17, 17}, {28, 19}, {63, 32}};

namespace cr4 {
inline constexpr CrBit kVme{0, "VME"};
inline constexpr CrBit kPvi{1, "PVI"};
inline constexpr CrBit kTsd{2, "TSD"};
inline constexpr CrBit kDe{3, "DE"};
inline constexpr CrBit kPse{4, "PSE"};
inline constexpr CrBit kPae{5, "PAE"};
inline constexpr CrBit kMce{6, "MCE"};
inline constexpr CrBit kPge{7, "PGE"};
inline constexpr CrBit kPce{8, "PCE"};
inline constexpr CrBit kOsfxsr{9, "OSFXSR"};
inline constexpr CrBit kOsxmmexcpt{10, "OSXMMEXCPT"};
inline constexpr CrBit kUmip{11, "UMIP"};
inline constexpr CrBit kLa57{12, "LA57"};
inline constexpr CrBit kVmxe{13, "VMXE"};
inline constexpr CrBit kSmxe{14, "SMXE"};
inline constexpr CrBit kFsgsbase{16, "FSGSBASE"};
inline constexpr CrBit kPcide{17, "PCIDE"};
inline constexpr CrBit kOsxsave{18, "OSXSAVE"};
inline constexpr CrBit kKl{19, "KL"};
inline constexpr CrBit kSmep{20, "SMEP"};
inline constexpr CrBit kSmap{21, "SMAP"};
inline constexpr CrBit kPke{22, "PKE"};
inline constexpr CrBit kCet{23, "CET"};
inline constexpr CrBit kPks{24, "PKS"};
inline constexpr CrBit kUintr{25, "UINTR"};
inline constexpr CrBit kLamSup{28, "LAM_SUP"};  // linear-address masking for supervisor pointers
inline constexpr CrBit kFred{32, "FRED"};        // FRED specification: the first CR4 bit above 31
}  // namespace cr4

inline constexpr CrBit kCr4Bits[] = {
    cr4::kVme,   cr4::kPvi,  cr4::kTsd,   cr4::kDe,      cr4::kPse,  cr4::kPae,   cr4::kMce,
    cr4::kPge,   cr4::kPce,  cr4::kOsfxsr, cr4::kOsxmmexcpt, cr4::kUmip, cr4::kLa57, cr4::kVmxe,
    cr4::kSmxe,  cr4::kFsgsbase, cr4::kPcide, cr4::kOsxsave, cr4::kKl, cr4::kSmep, cr4::kSmap,
    cr4::kPke,   cr4::kCet,  cr4::kPks,   cr4::kUintr,   cr4::kLamSup, cr4::kFred,
};
inline constexpr ReservedBits kCr4Reserved[] = {{15, 15}, {27, 26}, {31, 29}, {63, 33}};

}  // namespace vmxb
