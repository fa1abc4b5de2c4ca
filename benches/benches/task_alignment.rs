//! Why the task cell has its natural alignment, not a cache line's: the cost of allocating and
//! freeing a task-sized block (128 bytes) with the system allocator at 8-byte and at 128-byte
//! alignment. tokio aligns its task cell to 128 bytes and pays the second figure on every
//! spawn; conductor's `Cell` (`runtime/src/task/raw.rs`) pays the first.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};

/// 128 bytes at the alignment of its fields (8).
struct Natural(#[allow(dead_code)] [u64; 16]);

/// 128 bytes aligned to a cache-line pair, as `#[repr(align(128))]` task cells are.
#[repr(align(128))]
struct CacheAligned(#[allow(dead_code)] [u64; 16]);

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("task_alignment");
    group.bench_function("natural_8", |b| {
        b.iter(|| drop(black_box(Box::new(Natural([0; 16])))))
    });
    group.bench_function("aligned_128", |b| {
        b.iter(|| drop(black_box(Box::new(CacheAligned([0; 16])))))
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = conductor_benches::criterion();
    targets = bench
}
criterion_main!(benches);
