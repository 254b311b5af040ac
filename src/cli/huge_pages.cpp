// Large allocations of the rackscope executable on transparent huge pages.
//
// Why: building a million-chip fabric or a sweep's row buffers touches gigabytes of fresh memory,
// and each 4 KiB page costs a fault when first written. On the 2-core development VM a fault
// costs about 11 us, so `topo` on 999,936 Trn3 chips spent 8 of its 19 s in 923,546 faults and
// the shipped sweep 0.6 of its 1.75 s in 51,405. Memory advised MADV_HUGEPAGE faults once per
// 2 MiB (512x fewer faults, and fewer TLB misses when the arrays are walked). glibc does this
// itself under GLIBC_TUNABLES=glibc.malloc.hugetlb=1, but only when set before the program
// starts, which no user should need to know; so the executable asks for it here.
//
// How: every operator new of at least 2 MiB (vectors, hash tables, the fabric's link and path
// tables) is served 2 MiB-aligned, rounded up to whole huge pages and advised before its first
// touch. Smaller blocks use malloc as before. The memory is malloc's, so the library's operator
// delete (free) releases it, and malloc reuses it (already faulted in) for later blocks. Advice on
// a block inside the brk heap splits the heap mapping at 2 MiB-aligned bounds; adjacent advised
// parts merge again, so the mappings stay fewer than heap bytes / 2 MiB. Fixing
// M_MMAP_THRESHOLD at 2 MiB instead (every large block its own mmap, never in the heap) was
// measured slower: freed blocks went back to the kernel and were faulted and zeroed again (1M-chip
// all-reduce 4.2 s against 3.2 s). If the kernel has huge pages off, the advice is ignored and
// nothing else changes. Results do not depend on any of it.
//
// Not in sanitizer builds: AddressSanitizer's own operator new tracks new/delete pairs.
#include <sys/mman.h>

#include <cstdint>
#include <cstdlib>
#include <new>

#if !defined(__SANITIZE_ADDRESS__)
namespace {

constexpr std::size_t kHugePage = std::size_t{2} << 20;

void* try_allocate(std::size_t size) {
  if (size < kHugePage) return std::malloc(size == 0 ? 1 : size);
  if (size > SIZE_MAX - kHugePage) return nullptr;  // rounding up would wrap around
  const std::size_t whole = (size + kHugePage - 1) / kHugePage * kHugePage;
  void* p = std::aligned_alloc(kHugePage, whole);
  if (p) madvise(p, whole, MADV_HUGEPAGE);  // advice only: a kernel without THP leaves 4 KiB pages
  return p;
}

// As the standard's operator new: on failure the new-handler runs, if one is installed, and the
// allocation is tried again; without one, std::bad_alloc.
void* allocate(std::size_t size) {
  for (;;) {
    if (void* p = try_allocate(size)) return p;
    std::new_handler handler = std::get_new_handler();
    if (!handler) throw std::bad_alloc();
    handler();
  }
}

}  // namespace

void* operator new(std::size_t size) { return allocate(size); }
void* operator new[](std::size_t size) { return allocate(size); }

#endif
