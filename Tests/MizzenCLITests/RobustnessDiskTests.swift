import Foundation
import Resources
import TestSupport
import Testing

/// A size-limited tmpfs for a data directory, mounted for one test (needs root and a kernel
/// that lets this container mount; the tests are skipped elsewhere).
struct SmallFileSystem {
    let path: URL

    static let mount = URL(fileURLWithPath: "/bin/mount")

    /// Whether tmpfs can be mounted here.
    static let available: Bool = {
        guard getuid() == 0, FileManager.default.isExecutableFile(atPath: mount.path) else { return false }
        let probe = FileManager.default.temporaryDirectory.appendingPathComponent("mizzen-mount-probe-\(getpid())")
        try? FileManager.default.createDirectory(at: probe, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: probe) }
        let mounted = Process()
        mounted.executableURL = mount
        mounted.arguments = ["-t", "tmpfs", "-o", "size=1m", "tmpfs", probe.path]
        mounted.standardError = FileHandle.nullDevice
        guard (try? mounted.run()) != nil else { return false }
        mounted.waitUntilExit()
        guard mounted.terminationStatus == 0 else { return false }
        let unmount = Process()
        unmount.executableURL = URL(fileURLWithPath: "/bin/umount")
        unmount.arguments = [probe.path]
        try? unmount.run()
        unmount.waitUntilExit()
        return true
    }()

    init(megabytes: Int) async throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("mizzen-small-fs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: path, withIntermediateDirectories: true)
        try await Self.run(Self.mount, ["-t", "tmpfs", "-o", "size=\(megabytes)m", "tmpfs", path.path])
    }

    /// Remounts with new options (`size=…`, `ro`, `rw`).
    func remount(_ options: String) async throws {
        try await Self.run(Self.mount, ["-o", "remount,\(options)", path.path])
    }

    /// Kilobytes in use.
    func usedKilobytes() async throws -> Int {
        let result = try await ProcessRunner.run(URL(fileURLWithPath: "/bin/df"), ["-k", "--output=used", path.path])
        return Int(result.stdout.split(separator: "\n").last?.trimmingCharacters(in: .whitespaces) ?? "") ?? 0
    }

    func unmount() async {
        _ = try? await ProcessRunner.run(URL(fileURLWithPath: "/bin/umount"), [path.path])
        try? FileManager.default.removeItem(at: path)
    }

    private static func run(_ executable: URL, _ arguments: [String]) async throws {
        let result = try await ProcessRunner.run(executable, arguments)
        guard result.status == 0 else {
            throw RobustnessFailure("\(executable.lastPathComponent) \(arguments.joined(separator: " ")) failed: \(result.stderr)")
        }
    }
}

/// A full or read-only data directory: writes fail with a clear error, nothing stored is
/// lost, and service resumes once the disk accepts writes again.
@Suite("mizzen serve on a full or read-only disk", .serialized, .enabled(if: SmallFileSystem.available))
struct RobustnessDiskTests {
    /// POSTs a ConfigMap with `bytes` of padding.
    static func create(_ name: String, bytes: Int, on endpoint: RobustnessPlane.Endpoint) async -> RobustnessHTTP.Answer? {
        await RobustnessHTTP.send(
            "POST", "/api/v1/namespaces/default/configmaps",
            body: RobustnessWriter.body(name, value: 1, padding: bytes), to: endpoint)
    }

    /// Runs `body` with a plane (not started; no controllers) whose data directory is on a
    /// 256 MiB tmpfs, then kills the plane and unmounts, whatever happened.
    static func withPlaneOnSmallDisk(
        _ body: (SmallFileSystem, RobustnessPlane, URL, URL) async throws -> Void
    ) async throws {
        let disk = try await SmallFileSystem(megabytes: 256)
        let data = disk.path.appendingPathComponent("data")
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("mizzen-disk-\(UUID().uuidString).log")
        let plane = RobustnessPlane(directory: data, arguments: ["--no-controllers", "--node-simulation", "none"], log: log)
        var failure: (any Error)?
        do { try await body(disk, plane, data, log) } catch { failure = error }
        await plane.kill()
        await disk.unmount()
        try? FileManager.default.removeItem(at: log)
        if let failure { throw failure }
    }

    @Test("a full disk answers writes 507 naming the data directory, keeps every stored object, and writes resume when space is back")
    func fullDisk() async throws {
        try await Self.withPlaneOnSmallDisk { disk, plane, data, _ in try await fullDisk(disk, plane, data) }
    }

    func fullDisk(_ disk: SmallFileSystem, _ plane: RobustnessPlane, _ data: URL) async throws {
        var endpoint = try await plane.start()
        // Room for about 2 MiB more than the plane uses once started.
        let used = try await disk.usedKilobytes()
        try await disk.remount("size=\(used + 2048)k")

        var stored: [String] = []
        var refusal: RobustnessHTTP.Answer?
        for index in 0..<400 {
            guard let answer = await Self.create("fill-\(index)", bytes: 16 * 1024, on: endpoint) else {
                Issue.record("no answer to a write on a full disk")
                break
            }
            if answer.status == 201 {
                stored.append("fill-\(index)")
            } else {
                refusal = answer
                break
            }
        }
        let refused = try #require(refusal, "2 MiB of room took 400 objects of 16 KiB")
        #expect(refused.status == 507)
        let message = refused.body?["message"]?.stringValue ?? refused.text
        #expect(message.contains("no space is left"), "\(message)")
        #expect(message.contains(data.path), "\(message)")
        #expect(refused.body?["details"]?["retryAfterSeconds"]?.intValue == 5)
        #expect(stored.count > 10)

        // Full: more writes are refused the same way; reads still answer, with everything.
        #expect(await Self.create("one-more", bytes: 16 * 1024, on: endpoint)?.status == 507)
        var listed = try await RobustnessWriter.listed(namespace: "default", prefix: "", on: endpoint)
        #expect(Set(stored).isSubset(of: Set(listed.keys.filter { $0.hasPrefix("fill-") })))

        // Space is back: writes succeed again without a restart.
        try await disk.remount("size=256m")
        #expect(try await eventually(timeout: .seconds(30)) {
            await Self.create("after-\(UUID().uuidString.prefix(8))", bytes: 16, on: endpoint)?.status == 201
        })
        #expect(await Self.create("resumed", bytes: 16 * 1024, on: endpoint)?.status == 201)

        // And it all survives a SIGKILL.
        await plane.kill()
        endpoint = try await plane.start()
        listed = try await RobustnessWriter.listed(namespace: "default", prefix: "", on: endpoint)
        for name in stored + ["resumed"] {
            #expect(listed[name] != nil, "\(name) was acknowledged and is gone")
        }
        await plane.kill()
    }

    @Test("on a read-only data directory mizzen serve says so, and everything stored is there once it is writable again")
    func readOnly() async throws {
        try await Self.withPlaneOnSmallDisk { disk, plane, data, log in try await readOnly(disk, plane, data, log) }
    }

    func readOnly(_ disk: SmallFileSystem, _ plane: RobustnessPlane, _ data: URL, _ log: URL) async throws {
        var endpoint = try await plane.start()
        var stored: [String] = []
        for index in 0..<20 where await Self.create("kept-\(index)", bytes: 64, on: endpoint)?.status == 201 {
            stored.append("kept-\(index)")
        }
        #expect(stored.count == 20)
        // A file system cannot turn read-only under open files: the plane is killed first.
        await plane.kill()
        try await disk.remount("ro")

        do {
            endpoint = try await plane.start()
            // It serves: reads answer with everything, writes are refused naming the cause.
            let listed = try await RobustnessWriter.listed(namespace: "default", prefix: "", on: endpoint)
            #expect(Set(stored).isSubset(of: Set(listed.keys)))
            let refused = await Self.create("refused", bytes: 64, on: endpoint)
            #expect(refused?.status == 503)
            #expect(refused?.text.contains("read-only") == true, "\(refused?.text ?? "no answer")")
            await plane.kill()
        } catch {
            // It does not start: it says why, naming the directory.
            let said = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            #expect(said.contains(data.path) && said.lowercased().contains("read-only"), "mizzen serve said: \(said)")
        }

        try await disk.remount("rw")
        endpoint = try await plane.start()
        let listed = try await RobustnessWriter.listed(namespace: "default", prefix: "", on: endpoint)
        #expect(Set(stored).isSubset(of: Set(listed.keys)))
        #expect(await Self.create("writable-again", bytes: 64, on: endpoint)?.status == 201)
        await plane.kill()
    }
}
