#include "harness/image/serial.h"

#include "harness/image/arch.h"

namespace vmxb::image {
namespace {
constexpr u16 kCom1 = 0x3F8;
constexpr u8 kLsrThre = 0x20;  // transmit holding register empty
constexpr u8 kLsrTemt = 0x40;  // transmitter empty

void put(char c) {
  while (!(inb(kCom1 + 5) & kLsrThre)) {
  }
  outb(kCom1, static_cast<u8>(c));
}
}  // namespace

void serial_init() {
  outb(kCom1 + 1, 0x00);  // no interrupts
  outb(kCom1 + 3, 0x80);  // DLAB
  outb(kCom1 + 0, 0x01);  // 115200 baud
  outb(kCom1 + 1, 0x00);
  outb(kCom1 + 3, 0x03);  // 8N1
  outb(kCom1 + 2, 0xC7);  // FIFO on, cleared
}

void serial_write(const char* s) {
  for (; *s != '\0'; ++s) put(*s);
}

void serial_drain() {
  while (!(inb(kCom1 + 5) & kLsrTemt)) {
  }
}

Line& Line::ch(char c) {
  if (len_ + 2 < sizeof(buf_)) buf_[len_++] = c;
  return *this;
}

Line& Line::text(const char* s) {
  for (; s != nullptr && *s != '\0'; ++s) ch(*s);
  return *this;
}

Line& Line::dec(u64 v) {
  char tmp[20];
  int n = 0;
  do {
    tmp[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  while (n > 0) ch(tmp[--n]);
  return *this;
}

Line& Line::hex(u64 v, int digits) {
  for (int i = digits - 1; i >= 0; --i) ch("0123456789abcdef"[(v >> (4 * i)) & 0xF]);
  return *this;
}

void Line::end() {
  buf_[len_++] = '\n';
  buf_[len_] = '\0';
  serial_write(buf_);
  len_ = 0;
}

}  // namespace vmxb::image
