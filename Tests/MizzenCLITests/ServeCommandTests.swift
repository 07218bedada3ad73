import Foundation
import Resources
import Testing
import TestSupport

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

@Suite("mizzen serve", .serialized)
struct ServeCommandTests {
    /// Starts `mizzen serve` on a free port and returns it with the first line it printed.
    static func start(_ directory: URL, extra: [String] = []) throws -> (Process, String, Pipe) {
        let process = Process()
        process.executableURL = CLI.binary
        process.arguments = ["serve", "--port", "0", "--data-dir", directory.path] + extra
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        var line = Data()
        while true {
            let byte = output.fileHandleForReading.readData(ofLength: 1)
            if byte.isEmpty || byte == Data("\n".utf8) { break }
            line.append(byte)
        }
        return (process, String(decoding: line, as: UTF8.self), errors)
    }

    @Test("serve writes a 0600 kubeconfig, answers /livez, refuses a second server, and stops on SIGTERM")
    func lifecycle() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mizzen-serve-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let (server, line, _) = try Self.start(directory, extra: ["--insecure-http"])
        #expect(line == "kubeconfig: \(directory.appendingPathComponent("kubeconfig").path)")
        let attributes = try FileManager.default.attributesOfItem(atPath: directory.appendingPathComponent("kubeconfig").path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let tokenAttributes = try FileManager.default.attributesOfItem(atPath: directory.appendingPathComponent("token").path)
        #expect((tokenAttributes[.posixPermissions] as? Int) == 0o600)

        let kubeconfig = try DocumentDecoder.decode(
            String(contentsOf: directory.appendingPathComponent("kubeconfig"), encoding: .utf8), file: nil)
        let url = try #require(kubeconfig.first?.value["clusters"]?[0]?["cluster"]?["server"]?.stringValue)
        #expect(url.hasPrefix("http://127.0.0.1:"))
        let (body, response) = try await URLSession.shared.data(from: try #require(URL(string: url + "/livez")))
        #expect((response as? HTTPURLResponse)?.statusCode == 200)
        #expect(String(decoding: body, as: UTF8.self) == "ok")
        let (_, unauthorized) = try await URLSession.shared.data(from: try #require(URL(string: url + "/api/v1/namespaces")))
        #expect((unauthorized as? HTTPURLResponse)?.statusCode == 401)

        // A body over 3 MiB is refused before it is read to the end.
        var large = URLRequest(url: try #require(URL(string: url + "/api/v1/namespaces/default/configmaps")))
        large.httpMethod = "POST"
        large.setValue("Bearer \(kubeconfig.first?.value["users"]?[0]?["user"]?["token"]?.stringValue ?? "")",
                       forHTTPHeaderField: "Authorization")
        large.httpBody = Data(repeating: UInt8(ascii: "a"), count: 4 * 1024 * 1024)
        let (tooLargeBody, tooLarge) = try await URLSession.shared.data(for: large)
        #expect((tooLarge as? HTTPURLResponse)?.statusCode == 413)
        #expect(try JSONValue(parsingJSON: [UInt8](tooLargeBody))["reason"] == "RequestEntityTooLarge")

        let second = Process()
        second.executableURL = CLI.binary
        second.arguments = ["serve", "--port", "0", "--data-dir", directory.path]
        let secondErrors = Pipe()
        second.standardError = secondErrors
        second.standardOutput = FileHandle.nullDevice
        try second.run()
        let message = String(decoding: secondErrors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        second.waitUntilExit()
        #expect(second.terminationStatus == 1)
        #expect(message.contains("another mizzen is using"))

        server.stop()
        #expect(server.terminationReason == .exit)
        #expect(server.terminationStatus == 0)
    }

    @Test("serve uses TLS by default, with a CA in the kubeconfig")
    func tlsByDefault() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mizzen-serve-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let (server, _, _) = try Self.start(directory)
        defer {
            server.stop()
        }
        let kubeconfig = try #require(try DocumentDecoder.decode(
            String(contentsOf: directory.appendingPathComponent("kubeconfig"), encoding: .utf8), file: nil).first?.value)
        #expect(kubeconfig["clusters"]?[0]?["cluster"]?["server"]?.stringValue?.hasPrefix("https://127.0.0.1:") == true)
        #expect(kubeconfig["clusters"]?[0]?["cluster"]?["certificate-authority-data"]?.stringValue?.isEmpty == false)
        #expect(kubeconfig["users"]?[0]?["user"]?["token"]?.stringValue?.count == 64)
    }
}
