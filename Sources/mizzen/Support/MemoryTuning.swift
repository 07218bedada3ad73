import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The allocator settings of a process that serves large bodies and objects (`mizzen serve`
/// above all): without them, memory freed after a flood of large objects stays in the process.
enum MemoryTuning {
    /// Applies the settings, unless `GLIBC_TUNABLES` says what the user wants instead.
    static func apply() {
        #if canImport(Glibc)
        guard ProcessInfo.processInfo.environment["GLIBC_TUNABLES"] == nil else { return }
        // Blocks of 256 KiB and more (request bodies, the text of large objects, their encoded
        // watch events) get mappings of their own, returned to the system when freed. glibc
        // otherwise raises this threshold to the largest block freed so far (up to 32 MiB), after
        // which such blocks come from the heap and the memory stays with the process.
        mallopt(option: -3, value: 256 * 1024)  // M_MMAP_THRESHOLD
        // Two heaps for the whole process, not eight per core: the threads of the cooperative
        // pool, NIO and SQLite each kept an arena of freed blocks.
        mallopt(option: -8, value: 2)  // M_ARENA_MAX
        #endif
    }

    #if canImport(Glibc)
    /// glibc's `mallopt` (malloc.h, which the Glibc module does not import), found at run time
    /// and called with the C convention; nothing happens on a C library without it.
    private static func mallopt(option: Int32, value: Int32) {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        _ = unsafeBitCast(symbol, to: Mallopt.self)(option, value)
    }
    #endif
}
