# Allocation engine and allocators
libdora_a_SOURCES += alloc/alloc_engine.c alloc/allocator.c
