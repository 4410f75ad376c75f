// Line output on COM1 (the host reads it from Bochs' com1 file or QEMU's -serial).
#pragma once

#include "primitives/types.h"

namespace vmxb::image {

void serial_init();
void serial_write(const char* s);
// Waits until the UART has shifted out the last byte (LSR TEMT): without it
// the emulator may stop before the tail of the output reaches the host.
void serial_drain();

// Builds one output line; flushed by end(). Fixed buffer, no allocation.
class Line {
 public:
  explicit Line(const char* prefix) { text(prefix); }
  Line& text(const char* s);
  Line& dec(u64 v);
  Line& hex(u64 v, int digits);  // zero-padded, no 0x
  Line& hex8(u64 v) { return hex(v, 8); }
  Line& hex16(u64 v) { return hex(v, 16); }
  Line& ch(char c);
  void end();  // appends '\n' and writes the line

 private:
  char buf_[512];
  usize len_ = 0;
};

}  // namespace vmxb::image
