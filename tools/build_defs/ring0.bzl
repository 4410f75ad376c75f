"""The ring-0 compilation flags, written once.

Used for the primitives' ring-0 build check, the bare-metal boot image and (via
the kernel's own flags plus these language options) the kernel module's C++ core.
"""

# No red zone (interrupts push onto the stack below %rsp), no SSE/AVX registers
# (the kernel and our image do not save them), no runtime: no exceptions, RTTI,
# stack protector, unwind tables or implicit libc calls.
RING0_CXXFLAGS = [
    "-std=gnu++20",
    "-m64",
    "-O2",
    "-DVMXB_RING0",
    "-ffreestanding",
    "-fno-exceptions",
    "-fno-rtti",
    "-fno-pic",
    "-fno-pie",
    "-mno-red-zone",
    "-mgeneral-regs-only",
    "-fno-stack-protector",
    "-fno-asynchronous-unwind-tables",
    "-fno-threadsafe-statics",
    "-fno-use-cxa-atexit",
    "-fno-builtin",
    "-nostdlib",
    "-nostdinc",
    "-nostdinc++",
    "-Wall",
    "-Wextra",
    "-Werror",
]

def ring0_object(name, src, hdrs, out = None, extra_flags = []):
    """Compiles one C++ source with the ring-0 flag set into an object file."""
    out = out or (name + ".o")
    native.genrule(
        name = name,
        srcs = [src] + hdrs,
        outs = [out],
        cmd = "$(CC) -x c++ {flags} -I. -c $(location {src}) -o $@".format(
            flags = " ".join(RING0_CXXFLAGS + extra_flags),
            src = src,
        ),
        toolchains = ["@bazel_tools//tools/cpp:current_cc_toolchain"],
    )
