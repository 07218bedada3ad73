import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The embedded control plane of a data directory, as `up`, `down` and the read commands see it:
/// whether one is running there, starting one in the background, stopping it.
///
/// A plane is running when the store's lock file is held (by `mizzen serve`, in the background
/// or not); `serve` writes `serve.pid` once it listens and removes it when it stops, and a
/// background plane writes its output to `serve.log`.
struct BackgroundPlane {
    let directory: URL

    init(dataDirectory: String) {
        directory = URL(fileURLWithPath: dataDirectory).standardizedFileURL
    }

    var kubeconfig: URL { directory.appendingPathComponent("kubeconfig") }
    var pidFile: URL { directory.appendingPathComponent("serve.pid") }
    var logFile: URL { directory.appendingPathComponent("serve.log") }
    /// The lock `SQLiteStore` holds on `store.sqlite` while it is open.
    private var lockFile: URL { directory.appendingPathComponent("store.sqlite.lock") }

    /// The data directory as the user wrote it would be, for messages (`./.mizzen`).
    var displayPath: String {
        let current = FileManager.default.currentDirectoryPath
        if directory.path.hasPrefix(current + "/") { return "./" + directory.path.dropFirst(current.count + 1) }
        return directory.path
    }

    /// Some process holds the store of this directory.
    var isRunning: Bool {
        let fd = open(lockFile.path, O_RDWR | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        if flock(fd, LOCK_EX | LOCK_NB) == 0 {
            flock(fd, LOCK_UN)
            return false
        }
        return errno == EWOULDBLOCK
    }

    /// The process serving this directory, once it listens.
    var pid: pid_t? {
        guard let text = try? String(contentsOf: pidFile, encoding: .utf8),
            let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 0, kill(pid, 0) == 0
        else { return nil }
        return pid
    }

    /// Whether the plane is running and ready for clients: its lock is held and it wrote its pid
    /// file and kubeconfig. A plane still starting is given `patience` to become ready.
    func ready(patience: Duration = .seconds(10)) async -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now + patience
        while isRunning {
            if pid != nil, FileManager.default.fileExists(atPath: kubeconfig.path) { return true }
            if clock.now >= deadline { return false }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    /// Starts `mizzen serve` for this directory as a background process in its own session (so
    /// that ^C in the terminal leaves it running), its output in `serve.log`, and waits until it
    /// listens.
    ///
    /// - Returns: the pid of the plane.
    /// - Throws: ``CommandFailure`` with the end of its log when it does not start in `timeout`.
    func start(arguments extra: [String] = [], timeout: Duration = .seconds(60)) async throws -> pid_t {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try? FileManager.default.removeItem(at: pidFile)
        let executable = Self.executablePath
        let arguments = [executable, "serve", "--data-dir", directory.path, "--port", "0"] + extra
        let child = try Self.spawnDetached(executable, arguments, output: logFile.path)
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while clock.now < deadline {
            var status: Int32 = 0
            if waitpid(child, &status, WNOHANG) == child {
                throw CommandFailure(
                    "the control plane in \(displayPath) did not start:\n\(lastLines(of: logFile, count: 8))",
                    hint: "see \(logFile.path)")
            }
            if pid == child, FileManager.default.fileExists(atPath: kubeconfig.path) { return child }
            try await Task.sleep(for: .milliseconds(50))
        }
        kill(child, SIGTERM)
        throw CommandFailure(
            "the control plane in \(displayPath) did not start within \(timeout)", hint: "see \(logFile.path)",
            status: ExitStatus.timeout)
    }

    /// Stops the plane with SIGTERM (it stops its controllers, then its server) and waits for it.
    ///
    /// - Returns: the pid stopped, or `nil` when none was running.
    func stop(timeout: Duration = .seconds(30)) async throws -> pid_t? {
        guard isRunning else { return nil }
        guard let pid else {
            throw CommandFailure(
                "the control plane in \(displayPath) is running but did not record its process id",
                hint: "stop the `mizzen serve --data-dir \(displayPath)` process yourself")
        }
        kill(pid, SIGTERM)
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while isRunning {
            guard clock.now < deadline else {
                throw CommandFailure(
                    "the control plane in \(displayPath) (pid \(pid)) did not stop within \(timeout)",
                    hint: "kill -9 \(pid) stops it at once", status: ExitStatus.timeout)
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        return pid
    }

    /// The mizzen binary running now.
    static var executablePath: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }

    /// glibc's `POSIX_SPAWN_SETSID` (`spawn.h`), which Swift does not import because it is
    /// declared only under `_GNU_SOURCE`.
    private static let spawnSetSID: Int16 = 0x80

    /// Spawns `arguments` in a new session with standard input from /dev/null and standard
    /// output and error appended to `output`.
    private static func spawnDetached(_ executable: String, _ arguments: [String], output: String) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // Descriptors this process holds without close-on-exec (the pipes of whoever runs
        // `mizzen up`) must not live on in the plane, or that reader never sees end-of-file.
        closeFrom(3, in: &actions)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, spawnSetSID)
        var argv = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let code = posix_spawn(&pid, executable, &actions, &attributes, &argv, environ)
        guard code == 0 else {
            throw CommandFailure("cannot start \(executable): \(String(cString: strerror(code)))")
        }
        return pid
    }

    /// `posix_spawn_file_actions_addclosefrom_np` (glibc 2.34+), looked up at run time because
    /// Swift does not import declarations guarded by `_GNU_SOURCE`; on an older glibc the
    /// descriptors open now are closed one by one.
    private static func closeFrom(_ lowest: Int32, in actions: inout posix_spawn_file_actions_t) {
        typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        if let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") {
            _ = unsafeBitCast(symbol, to: CloseFrom.self)(&actions, lowest)
            return
        }
        let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        for descriptor in open.compactMap(Int32.init) where descriptor >= lowest {
            posix_spawn_file_actions_addclose(&actions, descriptor)
        }
    }

    private func lastLines(of file: URL, count: Int) -> String {
        let text = (try? String(contentsOf: file, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").suffix(count).map { "  " + $0 }.joined(separator: "\n")
    }
}
