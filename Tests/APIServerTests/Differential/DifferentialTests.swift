import APIServer
import Foundation
import TestSupport
import Testing

/// The same scripted kubectl session and raw requests against the embedded plane and against a
/// real kube-apiserver (the kit of `shared/tools/real-k8s`, found through `MIZZEN_REAL_K8S`),
/// outputs normalised and compared step by step. Differences are failures unless
/// ``AcceptedDifferences`` lists the step with its reason.
///
/// `MIZZEN_DIFF_REPORT=path` writes the run's report (the summary table by area, then every
/// step that did not match) to that file; docs/differential.md holds the latest one.
@Suite("differential: the embedded plane answers like kube-apiserver")
struct DifferentialTests {
    @Test("the scripted session gives kube-apiserver's answers",
          .enabled(if: RealCluster.isConfigured && Kubectl.isInstalled, Comment(rawValue: RealCluster.skipReason)),
          .timeLimit(.minutes(30)))
    func compareWithKubeAPIServer() async throws {
        let cluster = try await RealCluster.start()
        let plane = try await EmbeddedPlane.start()
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("mizzen-diff-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }

        let runID = Self.makeRunID()
        let (certificate, key) = try await Self.writeKeyPair(in: work)
        let values = ["ns": "diff-\(runID)", "run": runID, "certfile": certificate.path, "keyfile": key.path]
        var embedded = DifferentialRunner(
            target: try await DifferentialTarget.make(name: "embedded", kubeconfig: plane.endpoint.kubeconfig, workDirectory: work),
            values: values, workDirectory: work)
        var reference = DifferentialRunner(
            target: try await DifferentialTarget.make(name: "kube-apiserver", kubeconfig: cluster.kubeconfig, workDirectory: work),
            values: values, workDirectory: work)
        let normalizer = OutputNormalizer(runID: runID)

        var results: [DifferentialResult] = []
        for step in DifferentialScript.steps {
            let ours = normalizer.normalize(try await embedded.run(step))
            let theirs = normalizer.normalize(try await reference.run(step))
            results.append(DifferentialResult(step: step, embedded: ours, reference: theirs))
        }
        // Cluster-scoped leftovers of a run that stopped early (the namespace steps delete the rest).
        _ = try? await reference.run(DifferentialStep(
            area: .deletion, id: "cleanup",
            action: .kubectl(["delete", "crd", "widgets.r{run}.example.com", "--ignore-not-found", "--wait=false"], stdin: nil)))
        await plane.stop()
        await cluster.stopIfStarted()

        let report = DifferentialReport(results: results)
        if let path = ProcessInfo.processInfo.environment["MIZZEN_DIFF_REPORT"], !path.isEmpty {
            try report.markdown.write(toFile: path, atomically: true, encoding: .utf8)
        }
        let different = results.filter { $0.outcome == .different }
        #expect(different.isEmpty, "\(different.count) of \(results.count) steps differ from kube-apiserver:\n\(report.differences)")
    }

    static func makeRunID() -> String {
        // Letters that are not hexadecimal digits, so the run's name never turns up inside a uid.
        let letters = Array("ghjkmnpqrstvwxyz")
        return String((0..<6).map { _ in letters.randomElement()! })
    }

    /// A self-signed certificate and its key for `kubectl create secret tls`.
    static func writeKeyPair(in directory: URL) async throws -> (URL, URL) {
        let certificate = directory.appendingPathComponent("tls.crt")
        let key = directory.appendingPathComponent("tls.key")
        let result = try await ProcessRunner.run(URL(fileURLWithPath: "/usr/bin/openssl"), [
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
            "-subj", "/CN=diff.example", "-keyout", key.path, "-out", certificate.path,
        ])
        guard result.status == 0 else { throw RealClusterError("openssl failed: \(result.stderr)") }
        return (certificate, key)
    }
}

/// One step's normalised answers from both servers.
struct DifferentialResult {
    enum Outcome: String {
        case same, accepted, different
    }

    let step: DifferentialStep
    let embedded: String
    let reference: String

    var outcome: Outcome {
        if embedded == reference { return .same }
        return AcceptedDifferences.reasons[step.id] != nil ? .accepted : .different
    }
}

/// The summary of a run: counts by area, the accepted differences and every difference in full.
struct DifferentialReport {
    let results: [DifferentialResult]

    var markdown: String {
        var lines = [
            "| area | steps | same | accepted | different |",
            "| --- | ---: | ---: | ---: | ---: |",
        ]
        for area in DifferentialArea.allCases {
            let inArea = results.filter { $0.step.area == area }
            guard !inArea.isEmpty else { continue }
            lines.append("| \(area.rawValue) | \(inArea.count) | \(count(inArea, .same)) | \(count(inArea, .accepted)) | \(count(inArea, .different)) |")
        }
        lines.append("| **all** | **\(results.count)** | **\(count(results, .same))** | **\(count(results, .accepted))** | **\(count(results, .different))** |")
        let accepted = results.filter { $0.outcome == .accepted }
        if !accepted.isEmpty {
            lines += ["", "Accepted differences:", ""]
            lines += accepted.map { "- `\($0.step.id)` (\($0.step.summary)): \(AcceptedDifferences.reasons[$0.step.id] ?? "")" }
        }
        let different = results.filter { $0.outcome == .different }
        if !different.isEmpty {
            lines += ["", "Different:", ""]
            lines += different.map { "- `\($0.step.id)` (\($0.step.summary))" }
            lines += ["", differences]
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Every step that differs, with both answers.
    var differences: String {
        results.filter { $0.outcome == .different }.map { result in
            """
            ### \(result.step.id): \(result.step.summary)
            --- embedded plane
            \(result.embedded)
            --- kube-apiserver
            \(result.reference)

            """
        }.joined(separator: "\n")
    }

    private func count(_ results: [DifferentialResult], _ outcome: DifferentialResult.Outcome) -> Int {
        results.filter { $0.outcome == outcome }.count
    }
}
