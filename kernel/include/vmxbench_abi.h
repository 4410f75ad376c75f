/* SPDX-License-Identifier: (GPL-2.0 OR MIT) */
/*
 * /dev/vmxbench ioctl ABI, shared by the kernel module (C) and user space
 * (C and C++, e.g. bench/module_backend.cc). Fixed-size structs of __u* types
 * with explicit padding: the same layout on every compiler, no compat shims.
 *
 * Versioning: VMXB_ABI_VERSION changes whenever a struct or a rule below
 * changes. The ioctl numbers encode sizeof(struct ...) and every struct
 * starts with `size`, which must equal sizeof; both catch a stale binary.
 * The operation table itself (vmxb::core::kOperations) is checked through
 * vmxb_info.op_count and op_table_hash (kernel/include/vmxbench_op_table.h).
 * Constants that mirror the C++ core (statuses, bounds, the MSR list) are
 * static_assert'ed against it in vmxbench_abi_core.h.
 *
 * Errors (ioctl returns -1 and errno):
 *   EINVAL  a malformed request (size, flags, reserved fields, op id, bounds)
 *   EFAULT  a user pointer could not be read or written
 *   ENODEV  the requested CPU is not online, or went offline during the RUN
 *   EBUSY   VMX is in use on that CPU (CR4.VMXE=1 at a chunk start: KVM or
 *           another hypervisor holds it); the RUN stopped there
 *   ENOMEM  the sample buffer or a VMX region could not be allocated
 *   EINTR   a signal arrived while waiting for another RUN, or during this
 *           one (which then stopped at its next chunk boundary)
 *   ETIME   the RUN exceeded the module parameter max_run_ms
 *   ESHUTDOWN  the system is rebooting or powering off
 *   ENOTTY  unknown ioctl (e.g. a module with a different ABI)
 * Outcomes of an executed request (unsupported, VMfail...) are not errors:
 * RUN returns 0 and reports them in vmxb_run.status.
 */
#ifndef VMXBENCH_ABI_H
#define VMXBENCH_ABI_H

#include <linux/ioctl.h>
#include <linux/types.h>

/* 3: the guest rows' status VMXB_STATUS_GUEST_FAILED.
 * 4: the module runs the guest rows: vmxb_run.pages (was reserved_in0), and
 * the touch rows' four sample series in one buffer (samples_capacity).
 * 5: the clock counters: vmxb_info.measurement, vmxb_run.chunk_totals and
 * counter_states, status VMXB_STATUS_SMI_BOUND. */
#define VMXB_ABI_VERSION 5
#define VMXB_DEVICE_NAME "vmxbench"
#define VMXB_DEVICE_PATH "/dev/vmxbench"

/* core/run_operation.h's kMaxIterations and kDefaultChunk (vmxbench_abi_core.h). */
#define VMXB_MAX_ITERATIONS (1u << 20)
#define VMXB_DEFAULT_CHUNK 256u /* samples per interrupts-off section */
#define VMXB_MAX_CHUNK 4096u
#define VMXB_MAX_CPUS_REQUEST 65536u
#define VMXB_OVERHEAD_SAMPLES 64u
/* The touch rows (*_live): pages per context (core::guest::kMaxTouchPages)
 * and sample series: flush, warm, refill, collateral (core::kTouchSeries). */
#define VMXB_MAX_PAGES 512u
#define VMXB_TOUCH_SERIES 4u

/* IA32_FEATURE_CONTROL (0x3A), then IA32_VMX_BASIC..IA32_VMX_EXIT_CTLS2 (0x480..0x493):
 * vmxb::kVmxMsrs (primitives/vmx_capabilities.h), in its order (vmxbench_abi_core.h). */
#define VMXB_NUM_MSRS 21
#define VMXB_MSR_INDEX(i) ((i) == 0 ? 0x3Au : 0x480u + (unsigned)(i) - 1u)

/* The clock counters (core/chunk_counters.h, core/measurement_facts.h):
 * vmxb_run.chunk_totals[] in the order of core::kChunkFieldNames,
 * vmxb_run.counter_states[] in the order of core::kCounterSourceNames (each a
 * core::CounterState: 0 counted, 1 unavailable, 2 busy, 3 disturbed, 4
 * partial), vmxb_info.measurement[] in the order of core::kFactNames. */
#define VMXB_CHUNK_FIELDS 14
#define VMXB_COUNTER_SOURCES 3
#define VMXB_MEASUREMENT_FACTS 5
#define VMXB_FACT_LEN 112

/* vmxb_cpu_state.flags */
#define VMXB_CPU_ONLINE (1u << 0)
#define VMXB_CPU_VMXE (1u << 1)       /* CR4.VMXE (bit 13) is set: VMX in use */
#define VMXB_CPU_FC_VALID (1u << 2)   /* feature_control could be read */

struct vmxb_cpu_state {
	__u32 cpu;
	__u32 flags;
	__u64 cr4;
	__u64 feature_control; /* IA32_FEATURE_CONTROL of that CPU */
	__u64 reserved;
};

/* vmxb_info.cpuid_flags */
#define VMXB_CPUID_VMX (1u << 0)        /* CPUID.1:ECX[5] */
#define VMXB_CPUID_HYPERVISOR (1u << 1) /* CPUID.1:ECX[31] */
#define VMXB_CPUID_RDTSCP (1u << 2)     /* CPUID.80000001H:EDX[27] */
#define VMXB_CPUID_INTEL (1u << 3)

struct vmxb_info {
	/* in */
	__u32 size;          /* sizeof(struct vmxb_info) */
	__u32 msr_cpu;       /* CPU whose capability MSRs are read */
	__u32 cpus_capacity; /* entries at cpus_ptr (0: none wanted) */
	__u32 reserved_in;   /* must be 0 */
	__u64 cpus_ptr;      /* struct vmxb_cpu_state[cpus_capacity] */
	/* out */
	__u32 abi_version;
	__u32 op_count;      /* vmxb::core::OpId::kCount the module was built with */
	__u32 op_table_hash; /* vmxb::op_table_hash() the module was built with */
	__u32 max_iterations;
	__u32 max_chunk;
	__u32 cpuid_flags;
	__u32 family, model, stepping, microcode; /* boot CPU */
	__u32 tsc_khz;       /* the kernel's calibrated TSC frequency */
	__u32 nr_cpu_ids;
	__u32 nr_online;
	__u32 cpus_written;  /* min(cpus_capacity, nr_cpu_ids) */
	__u32 msr_valid;     /* bit i: msrs[i] was read (RDMSR raised no #GP) */
	__u32 reserved_out0;
	char module_version[32];
	char kernel_release[72];
	char cpu_vendor[16];
	__u64 msrs[VMXB_NUM_MSRS];
	/* What msr_cpu can count: each "value" or "unavailable: reason", NUL-terminated */
	char measurement[VMXB_MEASUREMENT_FACTS][VMXB_FACT_LEN];
	__u64 reserved_out[8];
};

/* vmxb_run.status: the values of vmxb::core::OpStatus (static_assert'ed in
 * vmxbench_abi_core.h), which also names them (core::op_status_name). */
enum vmxb_status {
	VMXB_STATUS_OK = 0,
	VMXB_STATUS_UNSUPPORTED = 1,
	VMXB_STATUS_VMFAIL_INVALID = 2,
	VMXB_STATUS_VMFAIL_VALID = 3,
	VMXB_STATUS_BAD_ARGUMENT = 4,
	VMXB_STATUS_VMX_LOST = 5,
	VMXB_STATUS_FAULT = 6,   /* a VMX instruction raised #UD/#GP; its fixup caught it */
	VMXB_STATUS_ABORTED = 7, /* never returned: a stopped RUN is an errno */
	VMXB_STATUS_GUEST_FAILED = 8, /* guest rows: VM entry failed (exit 33/34) or an unexpected VM exit */
	VMXB_STATUS_SMI_BOUND = 9,    /* MSR_SMI_COUNT moved in more chunks than the re-run bound */
};

/* vmxb_run.flags */
#define VMXB_RUN_FAULT_TEST (1u << 0) /* run without VMXON: the VMX instruction must
				       * raise #UD and come back as VMXB_STATUS_FAULT */
#define VMXB_RUN_FLAGS VMXB_RUN_FAULT_TEST

#define VMXB_REASON_LEN 128

struct vmxb_run {
	/* in */
	__u32 size;             /* sizeof(struct vmxb_run) */
	__u16 op;               /* vmxb::core::OpId */
	__u16 flags;            /* VMXB_RUN_* */
	__u32 cpu;              /* runs there, start to end */
	__u32 iterations;       /* 1..VMXB_MAX_ITERATIONS timed executions */
	__u32 warmup;           /* 0..VMXB_MAX_ITERATIONS untimed executions first */
	__u32 chunk;            /* 0 = VMXB_DEFAULT_CHUNK, else 1..VMXB_MAX_CHUNK */
	__u32 samples_capacity; /* entries at samples_ptr, >= iterations x series (below) */
	__u16 vpid;             /* INVVPID operand, 0 = 1 */
	__u16 pages;            /* touch rows: guest pages per context, 0..VMXB_MAX_PAGES
				 * (0: the core's default, 64); other rows ignore it */
	__u64 samples_ptr;      /* __u64[samples_capacity]: ticks per execution; the touch
				 * rows write VMXB_TOUCH_SERIES series, series k at entry
				 * k x iterations; every other row one */
	__u64 linear_address;   /* INVVPID type 0 operand, 0 = a kernel address; canonical */
	__u64 reserved_in[4];   /* must be 0 */
	/* out */
	__u32 status;           /* enum vmxb_status */
	__u32 vm_error;         /* VM-instruction error number after VMfailValid */
	__u32 samples_written;  /* per series */
	__u32 overhead_min;     /* min ticks of VMXB_OVERHEAD_SAMPLES empty bodies; 0 = not measured */
	__u64 eptp;             /* the EPTP used for INVEPT (0 if none) */
	__u64 cr4_before;       /* CR4 on the CPU before the run ... */
	__u64 cr4_after;        /* ... and after it: equal unless something is wrong */
	__u32 vmx_entered;      /* 1 if this run executed VMXON */
	__u32 reserved_out0;
	char reason[VMXB_REASON_LEN]; /* why not ok, NUL-terminated */
	/* The clock counters over the timed chunks of an ok run (see VMXB_CHUNK_FIELDS) */
	__u64 chunk_totals[VMXB_CHUNK_FIELDS];
	__u8 counter_states[VMXB_COUNTER_SOURCES];
	__u8 reserved_out1[5];
	__u64 reserved_out[4];
};

/*
 * SEMANTICS: the semantics suite (semantics/) on one CPU, in one
 * interrupts-off section, with the PASS:/FAIL:/SKIP:/KNOWN:/OBSERVED:/SUMMARY:
 * lines of harness/PROTOCOL.md written to a user buffer. A request of its own
 * with its own version, so the RUN ABI (VMXB_ABI_VERSION) is not touched: a
 * module without it answers ENOTTY. Errors as above (EINVAL, EFAULT, ENODEV,
 * EBUSY, ENOMEM, EINTR, ESHUTDOWN); a buffer too small for every line is not
 * an error: only whole lines are written, output_needed says how many bytes
 * all of them need and VMXB_SEMANTICS_TRUNCATED is set.
 */
#define VMXB_SEMANTICS_VERSION 1
/* vmxb_semantics.flags (in) */
#define VMXB_SEMANTICS_EMULATOR_BOCHS (1u << 0) /* skip what stops Bochs 2.7 (plan "emulator bochs") */
#define VMXB_SEMANTICS_FLAGS VMXB_SEMANTICS_EMULATOR_BOCHS
/* vmxb_semantics.result_flags (out) */
#define VMXB_SEMANTICS_PASSED (1u << 0)    /* the suite ran and no case failed */
#define VMXB_SEMANTICS_TRUNCATED (1u << 1) /* output_capacity < output_needed */
#define VMXB_SEMANTICS_MAX_OUTPUT (1u << 20)

struct vmxb_semantics {
	/* in */
	__u32 size;            /* sizeof(struct vmxb_semantics) */
	__u32 version;         /* VMXB_SEMANTICS_VERSION */
	__u32 cpu;             /* runs there */
	__u32 flags;           /* VMXB_SEMANTICS_* (in) */
	__u64 output_ptr;      /* char[output_capacity]: the lines, each ending in '\n', no NUL */
	__u32 output_capacity; /* 1..VMXB_SEMANTICS_MAX_OUTPUT */
	__u32 reserved_in0;    /* must be 0 */
	__u64 reserved_in[2];  /* must be 0 */
	/* out */
	__u32 output_written;  /* bytes of whole lines at output_ptr */
	__u32 output_needed;   /* bytes every line needs */
	__u32 result_flags;    /* VMXB_SEMANTICS_PASSED, VMXB_SEMANTICS_TRUNCATED */
	__u32 vmx_entered;     /* 1 if the suite reached VMX root operation */
	__u64 cr4_before;      /* CR4 on the CPU before the suite ... */
	__u64 cr4_after;       /* ... and after it */
	__u64 reserved_out[4];
};

/* 0xE7: no ioctl magic of that value in the 6.1 uapi headers (0xB7 is nsfs and remoteproc). */
#define VMXB_IOC_MAGIC 0xE7
#define VMXB_IOC_INFO _IOWR(VMXB_IOC_MAGIC, 0x01, struct vmxb_info)
#define VMXB_IOC_RUN _IOWR(VMXB_IOC_MAGIC, 0x02, struct vmxb_run)
#define VMXB_IOC_SEMANTICS _IOWR(VMXB_IOC_MAGIC, 0x03, struct vmxb_semantics)

/* The layout is the ABI: a change here must bump VMXB_ABI_VERSION. */
#ifdef __cplusplus
#define VMXB_ABI_ASSERT(e) static_assert(e, #e)
#else
#define VMXB_ABI_ASSERT(e) _Static_assert(e, #e)
#endif
VMXB_ABI_ASSERT(sizeof(struct vmxb_cpu_state) == 32);
VMXB_ABI_ASSERT(sizeof(struct vmxb_info) == 1000);
VMXB_ABI_ASSERT(__builtin_offsetof(struct vmxb_info, abi_version) == 24);
VMXB_ABI_ASSERT(__builtin_offsetof(struct vmxb_info, msrs) == 208);
VMXB_ABI_ASSERT(__builtin_offsetof(struct vmxb_info, measurement) == 376);
VMXB_ABI_ASSERT(sizeof(struct vmxb_run) == 408);
VMXB_ABI_ASSERT(__builtin_offsetof(struct vmxb_run, samples_ptr) == 32);
VMXB_ABI_ASSERT(__builtin_offsetof(struct vmxb_run, status) == 80);
VMXB_ABI_ASSERT(__builtin_offsetof(struct vmxb_run, reason) == 128);
VMXB_ABI_ASSERT(__builtin_offsetof(struct vmxb_run, chunk_totals) == 256);

VMXB_ABI_ASSERT(sizeof(struct vmxb_semantics) == 112);
VMXB_ABI_ASSERT(__builtin_offsetof(struct vmxb_semantics, output_written) == 48);

#endif /* VMXBENCH_ABI_H */
