/*
 * vmxbench boot sector: real mode -> long mode, then jump to the image.
 *
 * Disk layout (see harness/PROTOCOL.md):
 *   LBA 0        this sector
 *   LBA 1..8     the run plan (4 KiB text), loaded to PLAN_ADDR
 *   LBA 9..      the 64-bit image (flat binary), loaded to IMAGE_ADDR
 *
 * Checks CPUID for long mode first: a 32-bit-only CPU gets a protocol-level
 * error line on COM1 and ends the emulator, instead of faulting.
 * KERNEL_SECTORS is passed by the build (--defsym).
 */
        .set PLAN_ADDR,   0x9000
        .set IMAGE_SEG,   0x1000          /* IMAGE_ADDR = 0x10000 */
        .set PLAN_SECTORS, 8
        .set CHUNK,       32              /* sectors per INT 13h call (16 KiB) */
        .set COM1,        0x3F8
        .set PML4,        0x1000
        .set PDPT,        0x2000
        .set PD,          0x3000

        .code16
        .section .text
        .globl boot_start
boot_start:
        cli
        xor     %ax, %ax
        mov     %ax, %ds
        mov     %ax, %es
        mov     %ax, %ss
        mov     $0x7C00, %sp
        ljmp    $0, $1f                   /* canonical CS:IP */
1:      mov     %dl, boot_drive

        /* A20 through the fast gate (port 0x92): VMXON needs all address lines. */
        in      $0x92, %al
        or      $2, %al
        and     $0xFE, %al
        out     %al, $0x92

        /* Long mode? CPUID.80000000H >= 80000001H and CPUID.80000001H:EDX[29]. */
        mov     $0x80000000, %eax
        cpuid
        cmp     $0x80000001, %eax
        jb      no_long_mode
        mov     $0x80000001, %eax
        cpuid
        bt      $29, %edx
        jnc     no_long_mode

        /* Plan: LBA 1..8 -> 0000:9000. */
        movw    $PLAN_SECTORS, dap_count
        movw    $PLAN_ADDR, dap_offset
        movw    $0, dap_segment
        movl    $1, dap_lba
        call    read_sectors

        /* Image: LBA 9.. -> 1000:0000 onwards, CHUNK sectors per call. */
        movw    $KERNEL_SECTORS, %si
        movw    $IMAGE_SEG, %bx
        movl    $(1 + PLAN_SECTORS), dap_lba
2:      test    %si, %si
        jz      3f
        mov     $CHUNK, %cx
        cmp     %cx, %si
        jae     4f
        mov     %si, %cx
4:      mov     %cx, dap_count
        movw    $0, dap_offset
        mov     %bx, dap_segment
        call    read_sectors
        sub     %cx, %si
        add     $(CHUNK * 512 / 16), %bx
        addl    $CHUNK, dap_lba
        jmp     2b
3:
        /* Identity map 0..1 GiB with 2 MiB pages, user-accessible too (U/S = 1
           at every level) so the semantics suite can run code at CPL 3; SMEP
           and SMAP stay off, so ring 0 is unaffected. */
        xor     %eax, %eax
        mov     $PML4, %di
        mov     $(3 * 4096 / 4), %cx
        rep stosl
        movl    $(PDPT | 7), PML4
        movl    $(PD | 7), PDPT
        mov     $PD, %di
        mov     $0x87, %eax                /* present, writable, user, 2 MiB page */
        mov     $512, %cx
5:      mov     %eax, (%di)
        add     $0x200000, %eax
        add     $8, %di
        loop    5b

        lgdt    gdt_descriptor
        mov     $0x20, %eax                /* CR4.PAE */
        mov     %eax, %cr4
        mov     $PML4, %eax
        mov     %eax, %cr3
        mov     $0xC0000080, %ecx          /* IA32_EFER.LME */
        rdmsr
        or      $0x100, %eax
        wrmsr
        mov     %cr0, %eax
        or      $0x80000021, %eax          /* PG | NE | PE (NE: required by VMX) */
        mov     %eax, %cr0
        ljmpl   $0x08, $0x10000

read_sectors:                              /* INT 13h AH=42h with the DAP below */
        pusha
        mov     $dap, %si
        mov     $0x42, %ah
        mov     boot_drive, %dl
        int     $0x13
        popa
        jc      disk_error
        ret

disk_error:
        mov     $msg_disk, %si
        jmp     fail
no_long_mode:
        mov     $msg_no_lm, %si
fail:   mov     $(COM1 + 3), %dx           /* LCR: 8 data bits (reset default is 5) */
        mov     $3, %al
        out     %al, %dx
        push    %si
        mov     $msg_header, %si
        call    puts
        pop     %si
        call    puts
        xchg    %bx, %bx                   /* magic breakpoint: ends Bochs cleanly */
6:      hlt
        jmp     6b

puts:                                      /* COM1, polling LSR THRE (bit 5) */
        lodsb
        test    %al, %al
        jz      8f
        mov     %al, %ah
        mov     $(COM1 + 5), %dx
7:      in      %dx, %al
        test    $0x20, %al
        jz      7b
        mov     $COM1, %dx
        mov     %ah, %al
        out     %al, %dx
        jmp     puts
8:      mov     $(COM1 + 5), %dx           /* drain: LSR TEMT (bit 6) */
9:      in      %dx, %al
        test    $0x40, %al
        jz      9b
        ret

msg_header:
        .asciz  "VMXBENCH-IMAGE 1\nEND status=error "
msg_no_lm:
        .asciz  "no long mode: CPUID.80000001H:EDX[29]=0\n"
msg_disk:
        .asciz  "disk read failed\n"

        .p2align 3
gdt:    .quad   0
        .quad   0x00AF9A000000FFFF          /* 0x08: 64-bit code */
        .quad   0x00CF92000000FFFF          /* 0x10: data */
gdt_descriptor:
        .word   gdt_descriptor - gdt - 1
        .long   gdt

        .p2align 2
dap:    .byte   16, 0
dap_count:   .word 0
dap_offset:  .word 0
dap_segment: .word 0
dap_lba:     .quad 0
boot_drive:  .byte 0

boot_code_end:
        .org    510
        .byte   0x55, 0xAA
