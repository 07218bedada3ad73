import Foundation
import TestSupport

/// A server the differential script runs against, with what kubectl and curl need to reach it
/// and the values steps captured on it.
struct DifferentialTarget: Sendable {
    let name: String
    let kubeconfig: URL
    let cacheDirectory: URL
    let server: String
    let token: String
    let caFile: URL

    /// Reads the server, token and CA of `kubeconfig`'s current context.
    static func make(name: String, kubeconfig: URL, workDirectory: URL) async throws -> DifferentialTarget {
        func field(_ path: String) async throws -> String {
            let result = try await Kubectl.run(
                ["--kubeconfig", kubeconfig.path, "config", "view", "--raw", "--minify", "-o", "jsonpath={\(path)}"])
            return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let directory = workDirectory.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let caFile = directory.appendingPathComponent("ca.crt")
        let caData = try await field(".clusters[0].cluster.certificate-authority-data")
        if let decoded = Data(base64Encoded: caData), !caData.isEmpty {
            try decoded.write(to: caFile)
        } else {
            let path = try await field(".clusters[0].cluster.certificate-authority")
            try FileManager.default.copyItem(at: URL(fileURLWithPath: path), to: caFile)
        }
        return DifferentialTarget(
            name: name, kubeconfig: kubeconfig, cacheDirectory: directory.appendingPathComponent("kubectl-cache"),
            server: try await field(".clusters[0].cluster.server"), token: try await field(".users[0].user.token"),
            caFile: caFile)
    }
}

/// Runs the script's steps on one target and records what each printed.
struct DifferentialRunner {
    let target: DifferentialTarget
    /// `{ns}`, `{run}`, `{certfile}`, `{keyfile}` and captured values.
    var values: [String: String]
    let workDirectory: URL

    /// What the step printed (exit status or HTTP status, output, errors), not yet normalised.
    mutating func run(_ step: DifferentialStep) async throws -> String {
        let output: String
        let captured: String
        switch step.action {
        case .kubectl(let arguments, let stdin):
            let result = try await Kubectl.run(
                ["--kubeconfig", target.kubeconfig.path, "--cache-dir", target.cacheDirectory.path]
                    + arguments.map(fill), stdin: stdin.map(fill), timeout: 180)
            output = "exit \(result.status)\n\(result.stdout)\n--- stderr\n\(result.stderr)"
            captured = result.stdout
        case .request(let method, let path, let body, let contentType, let accept):
            let (status, warnings, text) = try await request(
                method: method, path: fill(path), body: body.map(fill), contentType: contentType, accept: accept)
            output = "HTTP \(status)\n" + warnings.map { "Warning: \($0)\n" }.joined() + text
            captured = text
        }
        if let name = step.capture {
            values[name] = captured.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return output
    }

    /// `text` with every `{name}` of ``values`` filled in.
    func fill(_ text: String) -> String {
        var text = text
        for (name, value) in values {
            text = text.replacingOccurrences(of: "{\(name)}", with: value)
        }
        return text
    }

    private func request(method: String, path: String, body: String?, contentType: String?, accept: String?)
        async throws -> (Int, [String], String)
    {
        let headers = workDirectory.appendingPathComponent("\(target.name)-headers")
        let output = workDirectory.appendingPathComponent("\(target.name)-body")
        var arguments = [
            "-sS", "-X", method, "--cacert", target.caFile.path, "-H", "Authorization: Bearer \(target.token)",
            "-D", headers.path, "-o", output.path, "-w", "%{http_code}", "--max-time", "30",
        ]
        if let contentType { arguments += ["-H", "Content-Type: \(contentType)"] }
        if let accept { arguments += ["-H", "Accept: \(accept)"] }
        if let body { arguments += ["--data-binary", "@-"] }
        arguments.append(target.server + path)
        let result = try await ProcessRunner.run(
            URL(fileURLWithPath: "/usr/bin/curl"), arguments, stdin: body, timeout: 60)
        let status = Int(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        let headerText = (try? String(contentsOf: headers, encoding: .utf8)) ?? ""
        let warnings = headerText.split(whereSeparator: \.isNewline)
            .filter { $0.lowercased().hasPrefix("warning:") }
            .map { $0.dropFirst("warning:".count).trimmingCharacters(in: .whitespaces) }
        let data = (try? Data(contentsOf: output)) ?? Data()
        return (status, warnings, Self.canonicalBody(data))
    }

    /// A JSON body (or a stream of JSON documents, one per line) with sorted keys, so that two
    /// servers' key orders do not count as differences; anything else as text.
    static func canonicalBody(_ data: Data) -> String {
        if let text = canonicalJSON(data) { return text }
        let lines = data.split(separator: UInt8(ascii: "\n"))
        let documents = lines.compactMap { canonicalJSON(Data($0)) }
        if !lines.isEmpty, documents.count == lines.count { return documents.joined(separator: "\n") }
        if let text = String(data: data, encoding: .utf8) { return text }
        return "<\(data.count) bytes, not UTF-8>"
    }

    private static func canonicalJSON(_ data: Data) -> String? {
        guard var object = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) else { return nil }
        object = withoutStatusMessages(object)
        guard let text = try? JSONSerialization.data(
            withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes, .fragmentsAllowed])
        else { return nil }
        return String(decoding: text, as: UTF8.self)
    }

    /// A raw answer's `Status` (also inside a watch event) without its `message` and its causes'
    /// messages: what machines read of it — code, reason, details, causes' reasons and fields —
    /// is compared; the wording is for people, and people read it through kubectl, whose output
    /// is compared in full.
    static func withoutStatusMessages(_ value: Any) -> Any {
        guard var object = value as? [String: Any] else { return value }
        if object["kind"] as? String == "Status" {
            object["message"] = object["message"] == nil ? nil : "<message>"
            if var details = object["details"] as? [String: Any], let causes = details["causes"] as? [[String: Any]] {
                details["causes"] = causes.map { cause in
                    var cause = cause
                    if cause["message"] != nil { cause["message"] = "<message>" }
                    return cause
                }
                object["details"] = details
            }
        }
        if let inner = object["object"] { object["object"] = withoutStatusMessages(inner) }
        return object
    }
}
