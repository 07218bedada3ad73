import OrderedCollections
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive `flock` on a lock file, held while a store is open, so that a second process
/// (or a second store in this one) cannot open the same database.
struct StoreLock: Sendable {
    let path: String
    private let descriptor: Int32

    /// Takes the lock, without waiting.
    ///
    /// - Throws: ``StoreError`` naming the directory when another holder has it.
    init(path: String, directory: String) throws(StoreError) {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw StoreError(message: "cannot open lock file \(path): \(String(cString: strerror(errno)))")
        }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            close(fd)
            if code == EWOULDBLOCK {
                throw StoreError.locked(directory: directory, lockPath: path)
            }
            throw StoreError(message: "cannot lock \(path): \(String(cString: strerror(code)))")
        }
        self.path = path
        self.descriptor = fd
    }

    /// Releases the lock (closing the descriptor drops it).
    func release() {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
