import Foundation

/// What a child process printed and how it ended.
public struct ProcessResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
}

/// Runs programs for tests. The waiting happens on a Dispatch thread, never on the cooperative
/// thread pool: an in-process server under test needs those threads to answer the program.
public enum ProcessRunner {
    /// Runs `executable` with `arguments`, feeding `stdin`, and stops it after `timeout` seconds.
    public static func run(
        _ executable: URL, _ arguments: [String], stdin: String? = nil, environment: [String: String]? = nil,
        currentDirectory: URL? = nil, timeout: TimeInterval = 120
    ) async throws -> ProcessResult {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result {
                    try runBlocking(executable, arguments, stdin: stdin, environment: environment,
                                    currentDirectory: currentDirectory, timeout: timeout)
                })
            }
        }
    }

    private static func runBlocking(
        _ executable: URL, _ arguments: [String], stdin: String?, environment: [String: String]?,
        currentDirectory: URL?, timeout: TimeInterval
    ) throws -> ProcessResult {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let environment { process.environment = environment }
        if let currentDirectory { process.currentDirectoryURL = currentDirectory }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let input = Pipe()
        process.standardInput = stdin == nil ? FileHandle.nullDevice : input
        try process.run()
        if let stdin {
            input.fileHandleForWriting.write(Data(stdin.utf8))
            try input.fileHandleForWriting.close()
        }
        // SIGTERM at the timeout, SIGKILL ten seconds later if that was not enough.
        let pid = process.processIdentifier
        let timer = DispatchWorkItem {
            guard process.isRunning else { return }
            process.terminate()
            DispatchQueue.global().asyncAfter(deadline: .now() + 10) { if process.isRunning { kill(pid, SIGKILL) } }
        }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: timer)
        // Read both pipes to the end before waiting, so that a full pipe never blocks the child.
        let stderrData = Locked(Data())
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            stderrData.set(err.fileHandleForReading.readDataToEndOfFile())
            group.leave()
        }
        let stdoutData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        timer.cancel()
        return ProcessResult(
            status: process.terminationStatus, stdout: String(decoding: stdoutData, as: UTF8.self),
            stderr: String(decoding: stderrData.get(), as: UTF8.self))
    }
}

/// A value shared between two threads, guarded by a lock.
final class Locked<Value>: @unchecked Sendable {
    // Every access goes through `lock`.
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) { self.value = value }

    func get() -> Value { lock.withLock { value } }
    func set(_ newValue: Value) { lock.withLock { value = newValue } }
}

extension Process {
    /// Stops the process and waits for its end, within bounds: SIGTERM, then SIGKILL once
    /// `grace` has passed, then at most ten more seconds. A test must not hang on a child that
    /// ignores SIGTERM or hangs while shutting down (`waitUntilExit` would wait for ever).
    /// Called from `defer` blocks, it blocks its thread while it waits, by short sleeps.
    public func stop(grace: TimeInterval = 10) {
        guard isRunning else { return }
        terminate()
        if waitForEnd(within: grace) { return }
        kill(processIdentifier, SIGKILL)
        _ = waitForEnd(within: 10)
    }

    /// Waits until the process has ended or `limit` seconds passed; true when it ended.
    public func waitForEnd(within limit: TimeInterval) -> Bool {
        let deadline = Date(timeIntervalSinceNow: limit)
        while isRunning {
            if Date() >= deadline { return false }
            usleep(20_000)
        }
        return true
    }
}
