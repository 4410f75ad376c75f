// Fixed-width integers and the few type traits the primitives need.
//
// The primitives are compiled into a bare-metal image and into a Linux kernel
// module, where the kernel build passes -nostdinc: not even <cstdint> is
// available there. Everything below comes from compiler built-ins.
#pragma once

namespace vmxb {

using u8 = __UINT8_TYPE__;
using u16 = __UINT16_TYPE__;
using u32 = __UINT32_TYPE__;
using u64 = __UINT64_TYPE__;
using i32 = __INT32_TYPE__;
using i64 = __INT64_TYPE__;
using usize = __SIZE_TYPE__;

static_assert(sizeof(u64) == 8 && sizeof(u32) == 4 && sizeof(u16) == 2 && sizeof(u8) == 1);

template <typename A, typename B>
inline constexpr bool kSameType = false;
template <typename A>
inline constexpr bool kSameType<A, A> = true;

// Number of elements of a built-in array, usable in constant expressions.
template <typename T, usize N>
constexpr usize array_size(const T (&)[N]) {
  return N;
}

constexpr u64 bit(unsigned n) { return u64{1} << n; }
constexpr bool bit_set(u64 value, unsigned n) { return (value >> n) & 1; }

// Mask of bits hi..lo inclusive.
constexpr u64 bit_range(unsigned hi, unsigned lo) {
  return (hi >= 63 ? ~u64{0} : (bit(hi + 1) - 1)) & ~(bit(lo) - 1);
}

constexpr bool streq(const char* a, const char* b) {
  while (*a != '\0' && *a == *b) {
    ++a;
    ++b;
  }
  return *a == *b;
}

}  // namespace vmxb
