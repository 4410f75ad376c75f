// Text built at compile time (no heap, no standard library), so that messages
// citing a capability bit can be derived from its handle and still be a
// `const char*` with static storage in the image and the kernel module.
#pragma once

#include "primitives/types.h"

namespace vmxb {

template <usize N>
struct FixedText {
  char text[N] = {};
  usize length = 0;

  constexpr FixedText& add(const char* s) {
    while (*s != '\0' && length + 1 < N) text[length++] = *s++;
    return *this;
  }
  constexpr FixedText& add_dec(u64 v) {
    char digits[20] = {};
    usize n = 0;
    do {
      digits[n++] = static_cast<char>('0' + v % 10);
      v /= 10;
    } while (v != 0);
    while (n > 0 && length + 1 < N) text[length++] = digits[--n];
    return *this;
  }
  // Upper-case hexadecimal without prefix, as the SDM writes leaves ("80000001").
  constexpr FixedText& add_hex(u64 v) {
    char digits[16] = {};
    usize n = 0;
    do {
      digits[n++] = "0123456789ABCDEF"[v % 16];
      v /= 16;
    } while (v != 0);
    while (n > 0 && length + 1 < N) text[length++] = digits[--n];
    return *this;
  }
  constexpr const char* c_str() const { return text; }
  // True when nothing was cut off (the tests check every derived message).
  constexpr bool fits() const { return length + 1 < N; }
};

}  // namespace vmxb
