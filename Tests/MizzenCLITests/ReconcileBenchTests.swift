import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import KubeClient
import TestSupport
import Testing

@testable import mizzen

@Suite("bench reconcile: chart and request table")
struct ReconcileBenchTests {
    @Test("an axis is 1, 2 or 5 times a power of ten per step and holds the value", arguments: [
        (0.0, 1.0, 1.0), (7.0, 7.0, 1.0), (11.0, 12.0, 2.0), (1_000.0, 1_000.0, 100.0), (1_234.0, 1_400.0, 200.0),
        (231.5, 250.0, 50.0), (100_000.0, 100_000.0, 10_000.0),
    ])
    func axis(value: Double, top: Double, step: Double) {
        #expect(ReconcileChart.axis(upTo: value) == ReconcileChart.Axis(top: top, step: step))
    }

    @Test("the chart draws both series on one time axis, marks the phases and escapes its text")
    func chart() throws {
        let chart = ReconcileChart(
            title: "1,000 apps <embedded>", notes: ["pods & deployments"], apps: 1_000,
            samples: [.init(seconds: 0, converged: 0, rssMiB: 80), .init(seconds: 10, converged: 400, rssMiB: 150),
                      .init(seconds: 20, converged: 1_000, rssMiB: 210)],
            markers: [.init(seconds: 20, label: "converged")])
        let svg = chart.svg()
        #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
        #expect(svg.hasSuffix("</svg>\n"))
        #expect(svg.components(separatedBy: "<polyline").count == 3)
        #expect(svg.contains("1,000 apps &lt;embedded&gt;"))
        #expect(svg.contains("pods &amp; deployments"))
        #expect(svg.contains(">converged</text>"))
        #expect(svg.contains(">applications converged</text>"))
        #expect(svg.contains(">RSS (MiB)</text>"))
        // The converged series ends at the top-right corner of its panel.
        #expect(svg.contains("850,"))
        // It parses as XML.
        _ = try XMLDocument(data: Data(svg.utf8))
        #expect(chart.svg() == svg)
    }

    @Test("the request table has a column per phase, a row per resource and verb, and totals")
    func table() {
        let converge: [RequestCounter.Key: RequestCounter.Count] = [
            .init(verb: "apply", resource: "deployments.apps"): .init(sent: 4_000),
            .init(verb: "update", resource: "applicationconfigurations.core.oam.dev/status"): .init(sent: 2_010, failed: 10),
            .init(verb: "create", resource: "events"): .init(sent: 300),
            .init(verb: "get", resource: "discovery"): .init(sent: 12),
            .init(verb: "get", resource: "services"): .init(sent: 5),
        ]
        let resync: [RequestCounter.Key: RequestCounter.Count] = [.init(verb: "get", resource: "services"): .init(sent: 2)]
        let lines = RequestTable(phases: [.init(name: "converge", counts: converge), .init(name: "resync", counts: resync)]).lines()
        #expect(lines[0].hasPrefix("resource"))
        #expect(lines[0].hasSuffix("converge  resync"))
        #expect(lines.contains { $0.hasPrefix("applicationconfigurations.core.oam.dev/status  update") && $0.contains("2,010 (10 failed)") })
        #expect(lines.contains { $0.hasPrefix("writes (Events left out)") && $0.contains("6,010 (10 failed)") })
        #expect(lines.contains { $0.hasPrefix("gets ") && $0.hasSuffix("5       2") })
        #expect(RequestTable.writes(converge) == 6_010)
        #expect(RequestTable.gets(converge) == 5)
        #expect(Set(lines.map(\.count)).count == 1)
    }

    @Test("bench reconcile converges a few applications and writes its chart")
    func shortRun() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bench-chart-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("run.svg").path
        let result = try await CLI.run([
            "bench", "reconcile", "--apps", "3", "--node-simulation", "deployments", "--timeout", "60", "--chart", path,
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("reconcile: chart written to \(path)"))
        let svg = try String(contentsOfFile: path, encoding: .utf8)
        #expect(svg.contains("<polyline"))
        #expect(svg.contains("3 applications"))
    }

    @Test(
        "bench reconcile --kubeconfig counts the controllers' requests on the real kit and cleans up",
        .enabled(if: RealCluster.isConfigured, Comment(rawValue: RealCluster.skipReason)))
    func onRealCluster() async throws {
        let cluster = try await RealCluster.start()
        let result = try await CLI.run([
            "bench", "reconcile", "--kubeconfig", cluster.kubeconfig.path, "--apps", "3", "--timeout", "120", "--chart", "",
        ])
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("reconcile: converged in"))
        #expect(result.stdout.contains("reconcile: resync: 0 writes, 0 GETs of single objects"))
        #expect(result.stdout.contains("— met"))
        #expect(!result.stdout.contains("chart written"))
        let namespace = try #require(result.stdout.split(separator: "\n").first { $0.contains("deleting namespace") }?
            .split(separator: " ").dropFirst(3).first)
        #expect(namespace.hasPrefix("mizzen-bench-"))
    }
}
