// SPDX-License-Identifier: GPL-2.0
/*
 * The guest rows' memory, per RUN (core::guest::GuestMemory through struct
 * vmxb_guest_memory): the page pool for the EPT tables and the guest's
 * TSSs, jobs, stacks and EPTP list; context B's VMCS; the two touch buffers;
 * the three probe pages. Every page is a zeroed 4-KiB page of write-back
 * RAM; each touch buffer is one order-9 block (2 MiB, physically contiguous)
 * or, when memory is too fragmented for that, a vmalloc area: the guest
 * needs it only virtually contiguous.
 */
#include <linux/gfp.h>
#include <linux/math.h>
#include <linux/mm.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include "vmxbench.h"

#define VMXB_TOUCH_ORDER 9
static_assert((1 << VMXB_TOUCH_ORDER) == VMXB_GUEST_TOUCH_PAGES);

/*
 * Pool pages besides the page directories: per context's EPT a PML4 and a
 * PDPT, page directories and tables for the 2-MiB and 1-GiB regions that
 * hold a probe page (3 each), and per context a job, a TSS and a stack; the
 * EPTP list; spare.
 */
#define VMXB_POOL_FIXED_PAGES 32u

static int vmxb_page_alloc(struct vmxb_page_addr *p)
{
	unsigned long va = get_zeroed_page(GFP_KERNEL);

	if (!va)
		return -ENOMEM;
	p->va = (void *)va;
	p->pa = __pa(va);
	return 0;
}

static void vmxb_page_free(struct vmxb_page_addr *p)
{
	free_page((unsigned long)p->va); /* free_page(0) is a no-op */
	p->va = NULL;
}

static int vmxb_touch_alloc(struct vmxb_guest_memory *gm, int k)
{
	struct page *block = alloc_pages(GFP_KERNEL | __GFP_ZERO | __GFP_NOWARN, VMXB_TOUCH_ORDER);
	char *base;
	int i;

	gm->touch[k] = kvcalloc(VMXB_GUEST_TOUCH_PAGES, sizeof(*gm->touch[k]), GFP_KERNEL);
	if (!gm->touch[k])
		return -ENOMEM;
	if (block) {
		base = page_address(block);
	} else {
		base = vzalloc(VMXB_GUEST_TOUCH_PAGES * PAGE_SIZE);
		if (!base)
			return -ENOMEM;
		gm->touch_vmalloc[k] = 1;
	}
	gm->touch_buffer[k] = base;
	for (i = 0; i < VMXB_GUEST_TOUCH_PAGES; i++) {
		void *va = base + i * PAGE_SIZE;

		gm->touch[k][i].va = va;
		gm->touch[k][i].pa = gm->touch_vmalloc[k] ? PFN_PHYS(vmalloc_to_pfn(va)) : __pa(va);
	}
	return 0;
}

void vmxb_guest_memory_free(struct vmxb_guest_memory *gm)
{
	u32 i;
	int k;

	for (k = 0; k < 2; k++) {
		if (gm->touch_vmalloc[k])
			vfree(gm->touch_buffer[k]);
		else if (gm->touch_buffer[k])
			free_pages((unsigned long)gm->touch_buffer[k], VMXB_TOUCH_ORDER);
		kvfree(gm->touch[k]);
	}
	for (i = 0; gm->pool && i < gm->pool_pages; i++)
		vmxb_page_free(&gm->pool[i]);
	kvfree(gm->pool);
	for (i = 0; i < VMXB_GUEST_PROBE_PAGES; i++)
		vmxb_page_free(&gm->probe[i]);
	vmxb_page_free(&gm->vmcs_b);
	memset(gm, 0, sizeof(*gm));
}

int vmxb_guest_memory_alloc(struct vmxb_guest_memory *gm)
{
	/* All RAM in the kernel's direct map: high_memory is its end. */
	u64 top = __pa((unsigned long)high_memory - 1) + 1;
	u64 gib = DIV_ROUND_UP(top, SZ_1G);
	u32 i;
	int k;

	memset(gm, 0, sizeof(*gm));
	gm->identity_base = 0;
	gm->identity_size = top;
	/*
	 * Without 1-GiB EPT pages each context needs a page directory per GiB
	 * and a PDPT per 512 GiB; with them these pages stay unused.
	 */
	gm->pool_pages = VMXB_POOL_FIXED_PAGES + 2 * (u32)(gib + DIV_ROUND_UP(gib, 512));
	gm->pool = kvcalloc(gm->pool_pages, sizeof(*gm->pool), GFP_KERNEL);
	if (!gm->pool)
		goto fail;
	for (i = 0; i < gm->pool_pages; i++)
		if (vmxb_page_alloc(&gm->pool[i]))
			goto fail;
	for (i = 0; i < VMXB_GUEST_PROBE_PAGES; i++)
		if (vmxb_page_alloc(&gm->probe[i]))
			goto fail;
	if (vmxb_page_alloc(&gm->vmcs_b))
		goto fail;
	for (k = 0; k < 2; k++)
		if (vmxb_touch_alloc(gm, k))
			goto fail;
	return 0;
fail:
	vmxb_guest_memory_free(gm);
	return -ENOMEM;
}
