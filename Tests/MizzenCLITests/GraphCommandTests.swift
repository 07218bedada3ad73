import Foundation
import OrderedCollections
import Resources
import TestSupport
import Testing

#if canImport(FoundationXML)
import FoundationXML
#endif

@testable import mizzen

@Suite("mizzen graph")
struct GraphCommandTests {
    @Test("graph shows layers, workloads and each data edge with its value, as text, DOT, Mermaid and SVG; describe points to it")
    func graphOnTheEmbeddedPlane() async throws {
        try await PlaneSession.with { session in
            try await session.up([CLI.example("data-passing")])
            let text = try await session.run(["graph", "shop"])
            #expect(text.status == 0, "\(text.stderr)")
            #expect(text.stdout == """
                ApplicationConfiguration shop  namespace default  healthy
                layer 1
                  component database  revision database-v1  healthy
                      workload Deployment/database  healthy  1/1 available
                layer 2  (reads from layer 1)
                  component web  revision web-v1  healthy  ← database (db-connection-secret)
                      workload Deployment/web  healthy  2/2 available
                Data edges
                  db-connection-secret: database → web  (Deployment/database metadata.annotations[db.example.com/connection-secret] → Deployment/web spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef.name)  passed "shop-db-connection"

                """)

            let dot = try await session.run(["graph", "shop", "-o", "dot"])
            #expect(dot.stdout.hasPrefix("digraph \"shop\" {\n  rankdir=LR;"))
            #expect(dot.stdout.contains("subgraph \"cluster_web\" {\n    label=\"component web (web-v1)\";"), "\(dot.stdout)")
            #expect(dot.stdout.contains("\"workload:database\" -> \"workload:web\" [label=\"db-connection-secret\\n\\\"shop-db-connection\\\"\", color=\"#2e7d32\"];"), "\(dot.stdout)")

            let mermaid = try await session.run(["graph", "shop", "-o", "mermaid"])
            #expect(mermaid.stdout.hasPrefix("flowchart LR\n  subgraph c0[\"component database (database-v1)\"]"), "\(mermaid.stdout)")
            #expect(mermaid.stdout.contains("  n0 -->|\"db-connection-secret: #quot;shop-db-connection#quot;\"| n1"), "\(mermaid.stdout)")

            let svg = try await session.run(["graph", "shop", "-o", "svg"])
            #expect(svg.stdout.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
            #expect(Self.isWellFormedXML(svg.stdout))
            #expect(svg.stdout.contains(">workload Deployment/web</text>"))
            #expect(svg.stdout.contains(">db-connection-secret</text>"))
            #expect(svg.stdout.contains(">&quot;shop-db-connection&quot;</text>"))

            let described = try await session.run(["describe", "appconfig", "shop"])
            #expect(described.stdout.contains("`mizzen graph shop`"), "\(described.stdout)")

            let missing = try await session.run(["graph", "nope"])
            #expect(missing.status == 1)
            #expect(missing.stderr.contains("error: ApplicationConfiguration nope not found in namespace default"), "\(missing.stderr)")
            let usage = try await session.run(["graph", "shop", "-o", "png"])
            #expect(usage.status == 2)
        }
    }

    static let appConfig = """
        apiVersion: core.oam.dev/v1alpha2
        kind: ApplicationConfiguration
        metadata: {name: chain, generation: 1}
        spec:
          components:
          - componentName: front
            dataInputs:
            - valueFrom: {dataOutputName: api-url}
              toFieldPaths: [spec.env]
            traits:
            - trait: {apiVersion: core.oam.dev/v1alpha2, kind: ManualScalerTrait, spec: {replicaCount: 2}}
          - componentName: api
            dataOutputs:
            - name: api-url
              fieldPath: status.url
            dataInputs:
            - valueFrom: {dataOutputName: db-host}
              toFieldPaths: [spec.db]
          - componentName: db
            dataOutputs:
            - name: db-host
              fieldPath: status.host
        """

    /// The graph of an AppConfig the controller has not reported on yet: from its spec alone.
    static func unreportedGraph() throws -> AppGraph {
        let appConfig = try Resource(try DocumentDecoder.decode(appConfig, file: "chain.yaml")[0].value)
        var report = AppReport(name: "chain", namespace: "default")
        report.components = ["front", "api", "db"].map { AppReport.ComponentEntry(name: $0) }
        return AppGraph.build(appConfig: appConfig, report: report)
    }

    @Test("before the controller reports, layers and edges come from the spec and every edge waits")
    func fromTheSpec() throws {
        let graph = try Self.unreportedGraph()
        #expect(graph.components.map { "\($0.name)@\($0.layer)" } == ["front@2", "api@1", "db@0"])
        #expect(graph.dataEdges.map { "\($0.output):\($0.from)->\($0.to)" } == [
            "api-url:workload:api->workload:front", "db-host:workload:db->workload:api",
        ])
        #expect(graph.dataEdges.allSatisfy { $0.state == .waiting("not evaluated by the controller yet") })
        #expect(graph.nodes["trait:front:0"]?.reference == "ManualScalerTrait (not applied yet)")
        let text = GraphText.text(graph, terminal: .plain)
        #expect(text.contains("layer 3  (reads from layer 2)\n  component front  progressing  ← api (api-url)\n"), "\(text)")
        #expect(text.contains("  db-host: db → api  ((not rendered yet) → (not rendered yet) spec.db)  waiting not evaluated by the controller yet"), "\(text)")
    }

    @Test("the SVG layout puts each layer in its own column, is the same every time, and is well-formed XML")
    func svgLayout() throws {
        let graph = try Self.unreportedGraph()
        let svg = GraphSVG.render(graph)
        #expect(svg == GraphSVG.render(graph))
        #expect(Self.isWellFormedXML(svg))
        // db (layer 0) left of api (layer 1) left of front (layer 2): the cards' x grow.
        let titles = ["component db", "component api", "component front"]
        let xs = titles.map { title -> Double in
            guard let range = svg.range(of: ">\(title)</text>") else { return -1 }
            let line = svg[..<range.lowerBound].split(separator: "\n").last ?? ""
            let x = line.split(separator: "\"").dropFirst().first.flatMap { Double($0) } ?? -1
            return x
        }
        #expect(xs[0] >= 0 && xs[0] < xs[1] && xs[1] < xs[2], "\(xs)")
        #expect(svg.contains("stroke-dasharray=\"6 4\""), "waiting edges are dashed")
    }

    static func isWellFormedXML(_ text: String) -> Bool {
        XMLParser(data: Data(text.utf8)).parse()
    }
}
