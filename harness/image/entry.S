/*
 * 64-bit entry, exception stubs and vmxb_try (fault recovery).
 * Entered from boot.S in long mode with CS=0x08, identity-mapped 1 GiB,
 * interrupts off. Interrupts stay off for the whole run.
 */
        .code64
        .section .text.entry, "ax"
        .globl _start
_start:
        mov     $0x10, %ax
        mov     %ax, %ds
        mov     %ax, %es
        mov     %ax, %ss
        xor     %ax, %ax
        mov     %ax, %fs
        mov     %ax, %gs
        lea     stack_top(%rip), %rsp
        /* Zero .bss: it is not part of the flat binary the boot sector loaded. */
        lea     __bss_start(%rip), %rdi
        lea     __bss_end(%rip), %rcx
        sub     %rdi, %rcx
        xor     %eax, %eax
        rep stosb
        call    image_main
1:      cli
        hlt
        jmp     1b

/*
 * Exception stubs: push a dummy error code where the CPU pushes none
 * (vectors other than 8, 10-14, 17, 21, 29, 30), the vector, then all GPRs,
 * and hand the frame (struct ExceptionFrame) to exception_dispatch().
 */
        .macro STUB vector, has_error
        .globl exception_stub_\vector
exception_stub_\vector:
        .if \has_error == 0
        push    $0
        .endif
        push    $\vector
        jmp     exception_common
        .endm

        .text
        STUB 0,0;  STUB 1,0;  STUB 2,0;  STUB 3,0;  STUB 4,0;  STUB 5,0;  STUB 6,0;  STUB 7,0
        STUB 8,1;  STUB 9,0;  STUB 10,1; STUB 11,1; STUB 12,1; STUB 13,1; STUB 14,1; STUB 15,0
        STUB 16,0; STUB 17,1; STUB 18,0; STUB 19,0; STUB 20,0; STUB 21,1; STUB 22,0; STUB 23,0
        STUB 24,0; STUB 25,0; STUB 26,0; STUB 27,0; STUB 28,0; STUB 29,1; STUB 30,1; STUB 31,0

exception_common:
        push    %rax
        push    %rbx
        push    %rcx
        push    %rdx
        push    %rsi
        push    %rdi
        push    %rbp
        push    %r8
        push    %r9
        push    %r10
        push    %r11
        push    %r12
        push    %r13
        push    %r14
        push    %r15
        mov     %rsp, %rdi
        mov     %rsp, %rbx
        and     $-16, %rsp
        call    exception_dispatch
        mov     %rbx, %rsp
        pop     %r15
        pop     %r14
        pop     %r13
        pop     %r12
        pop     %r11
        pop     %r10
        pop     %r9
        pop     %r8
        pop     %rbp
        pop     %rdi
        pop     %rsi
        pop     %rdx
        pop     %rcx
        pop     %rbx
        pop     %rax
        add     $16, %rsp                  /* vector and error code */
        iretq

        .section .rodata
        .globl vmxb_exception_stubs
        .p2align 3
vmxb_exception_stubs:
        .irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
        .quad exception_stub_\v
        .endr

/*
 * int vmxb_try(void (*fn)(void*), void* arg)
 * Calls fn(arg). Returns -1 if it returned normally, or the vector of the
 * exception it raised: exception_dispatch() resumes at try_resume with RSP =
 * try_rsp and RAX = vector, and the callee-saved registers come back from here.
 */
        .text
        .globl vmxb_try
vmxb_try:
        push    %rbx
        push    %rbp
        push    %r12
        push    %r13
        push    %r14
        push    %r15
        sub     $8, %rsp                   /* 16-byte alignment at the call */
        mov     %rsp, try_rsp(%rip)
        lea     2f(%rip), %rax
        mov     %rax, try_resume(%rip)
        mov     %rdi, %rax
        mov     %rsi, %rdi
        call    *%rax
        movq    $0, try_resume(%rip)
        mov     $-1, %eax
2:      add     $8, %rsp
        pop     %r15
        pop     %r14
        pop     %r13
        pop     %r12
        pop     %rbp
        pop     %rbx
        ret

/*
 * void vmxb_enter_segment(void (*code)(), u64 cs, u64 ss, u64 rsp)
 * IRETQ to `code` in code segment `cs` with stack ss:rsp and interrupts off:
 * CPL 3 or compatibility mode (exceptions.h, run_in_code_segment). Nothing
 * returns here; the code ends in an exception, which exception_dispatch()
 * turns into the return of the vmxb_try() this runs under.
 */
        .text
        .globl vmxb_enter_segment
vmxb_enter_segment:
        push    %rdx                       /* SS */
        push    %rcx                       /* RSP */
        pushq   $0x2                       /* RFLAGS: IF = 0 */
        push    %rsi                       /* CS */
        push    %rdi                       /* RIP */
        iretq

        .bss
        .globl try_resume, try_rsp
        .p2align 3
try_resume:     .quad 0
try_rsp:        .quad 0
        .p2align 12
stack_bottom:   .skip 65536
stack_top:
