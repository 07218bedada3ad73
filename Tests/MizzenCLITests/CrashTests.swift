import Foundation
import Resources
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `mizzen serve` killed with SIGKILL at random moments while clients write: nothing that was
/// acknowledged is lost, resourceVersions keep increasing, and a watch resumed from the last
/// resourceVersion it saw misses nothing.
@Suite("Crash safety of mizzen serve", .serialized)
struct CrashTests {
    /// A `mizzen serve --insecure-http` child process.
    final class Server: @unchecked Sendable {
        // Only touched by the test's own task, one step after another.
        let process = Process()
        let url: String
        let token: String

        init(directory: URL) throws {
            process.executableURL = CLI.binary
            process.arguments = ["serve", "--insecure-http", "--port", "0", "--data-dir", directory.path]
            let output = Pipe()
            process.standardOutput = output
            process.standardError = FileHandle.nullDevice
            try process.run()
            // The first line is "kubeconfig: PATH", printed once the server listens.
            var line = Data()
            while true {
                let byte = output.fileHandleForReading.readData(ofLength: 1)
                if byte.isEmpty || byte == Data("\n".utf8) { break }
                line.append(byte)
            }
            let text = String(decoding: line, as: UTF8.self)
            guard text.hasPrefix("kubeconfig: ") else { throw CocoaError(.fileReadUnknown) }
            let kubeconfig = try DocumentDecoder.decode(
                String(contentsOfFile: String(text.dropFirst("kubeconfig: ".count)), encoding: .utf8), file: nil)
            url = kubeconfig.first?.value["clusters"]?[0]?["cluster"]?["server"]?.stringValue ?? ""
            token = kubeconfig.first?.value["users"]?[0]?["user"]?["token"]?.stringValue ?? ""
        }

        func kill() {
            Foundation.kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    /// POSTs a ConfigMap; its resourceVersion when the server acknowledged it.
    static func create(_ name: String, on server: Server) async -> Int64? {
        guard let url = URL(string: "\(server.url)/api/v1/namespaces/default/configmaps") else { return nil }
        var request = URLRequest(url: url)
        request.httpMethod = "POST"
        request.setValue("Bearer \(server.token)", forHTTPHeaderField: "Authorization")
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = Data(#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"\#(name)"},"data":{"n":"\#(name)"}}"#.utf8)
        request.timeoutInterval = 5
        guard let (data, response) = try? await URLSession.shared.data(for: request),
            (response as? HTTPURLResponse)?.statusCode == 201,
            let object = try? JSONValue(parsingJSON: [UInt8](data))
        else { return nil }
        return object["metadata"]?["resourceVersion"]?.stringValue.flatMap { Int64($0) }
    }

    /// Every watch event from `resourceVersion` until the server ends the stream or dies.
    static func watch(from resourceVersion: Int64, on server: Server, seconds: Int) throws -> [(String, String, Int64)] {
        let curl = Process()
        curl.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        curl.arguments = ["-sN", "--max-time", String(seconds + 5), "-H", "Authorization: Bearer \(server.token)",
                          "\(server.url)/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=\(resourceVersion)&timeoutSeconds=\(seconds)"]
        let output = Pipe()
        curl.standardOutput = output
        curl.standardError = FileHandle.nullDevice
        try curl.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        curl.waitUntilExit()
        return String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap { line in
            guard let event = try? JSONValue(parsingJSON: String(line)),
                let type = event["type"]?.stringValue, let object = event["object"],
                let name = object["metadata"]?["name"]?.stringValue,
                let version = object["metadata"]?["resourceVersion"]?.stringValue.flatMap({ Int64($0) })
            else { return nil }
            return (type, name, version)
        }
    }

    @Test("20 SIGKILLs lose no acknowledged write and no watch event",
          .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/curl")))
    func killAndRestart() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mizzen-crash-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        var acknowledged: [String: Int64] = [:]
        var lastVersion: Int64 = 0
        for round in 0..<20 {
            let server = try Server(directory: directory)
            // Three writers race the kill; each records what the server acknowledged.
            let killAfter = Duration.milliseconds(Int.random(in: 150...600))
            let results = await withTaskGroup(of: [(String, Int64)].self) { group in
                for writer in 0..<3 {
                    group.addTask {
                        var done: [(String, Int64)] = []
                        for n in 0..<10_000 {
                            let name = "r\(round)-w\(writer)-\(n)"
                            guard let version = await Self.create(name, on: server) else { break }
                            done.append((name, version))
                        }
                        return done
                    }
                }
                try? await Task.sleep(for: killAfter)
                server.kill()
                var all: [[(String, Int64)]] = []
                for await result in group { all.append(result) }
                return all
            }
            for writes in results {
                // Each writer saw its own acknowledgements in increasing resourceVersion order.
                #expect(zip(writes, writes.dropFirst()).allSatisfy { $0.1 < $1.1 }, "round \(round)")
                for (name, version) in writes {
                    #expect(version > lastVersion, "round \(round): \(name) at \(version) after \(lastVersion)")
                    acknowledged[name] = version
                }
            }
            lastVersion = max(lastVersion, acknowledged.values.max() ?? 0)
        }
        #expect(acknowledged.count > 20, "the writers got too little done to prove anything")

        // After the last restart: every acknowledged write is there, and a watch from the
        // start of history replays every one of them once, in order.
        let server = try Server(directory: directory)
        defer { server.kill() }
        let events = try Self.watch(from: 1, on: server, seconds: 2)
        let added = events.filter { $0.0 == "ADDED" }
        let seen = Dictionary(added.map { ($0.1, $0.2) }, uniquingKeysWith: { first, _ in first })
        for (name, version) in acknowledged {
            #expect(seen[name] == version, "\(name) acknowledged at \(version) but the watch saw \(String(describing: seen[name]))")
        }
        #expect(added.count == Set(added.map(\.1)).count, "a watch event was repeated")
        #expect(zip(events, events.dropFirst()).allSatisfy { $0.2 < $1.2 }, "watch events out of order")

        // A watch resumed from a resourceVersion in the middle sees exactly what came after it.
        let middle = acknowledged.values.sorted()[acknowledged.count / 2]
        // (It may also see writes that were committed but whose answer the kill cut off.)
        let resumed = try Self.watch(from: middle, on: server, seconds: 2).filter { $0.0 == "ADDED" }
        let expected = Set(acknowledged.filter { $0.value > middle }.keys)
        #expect(expected.isSubset(of: Set(resumed.map(\.1))))
        #expect(resumed.allSatisfy { $0.2 > middle })
    }
}
