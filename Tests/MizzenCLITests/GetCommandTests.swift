import Foundation
import KubeClient
import Resources
import Testing
@testable import mizzen

@Suite("mizzen get")
struct GetCommandTests {
    @Test("get lists OAM kinds with their own columns, prints data, and exits 0, 1 or 2 as the contract says")
    func getOnTheDataPassingExample() async throws {
        try await PlaneSession.with { session in
            try await session.up([CLI.example("data-passing")])

            // Tables, piped: tab-separated with a header, never coloured.
            let appConfigs = try await session.run(["get", "appconfigs"])
            #expect(appConfigs.status == 0, "\(appConfigs.stderr)")
            #expect(!appConfigs.stdout.contains("\u{1B}"))
            try Golden.check(withoutAge(appConfigs.stdout), against: "get-appconfigs.tsv")
            let components = try await session.run(["get", "comp"])
            try Golden.check(withoutAge(components.stdout), against: "get-components.tsv")
            let wide = try await session.run(["get", "components", "-o", "wide"])
            try Golden.check(withoutAge(wide.stdout), against: "get-components-wide.tsv")
            let revisions = try await session.run(["get", "revisions"])
            try Golden.check(withoutAge(revisions.stdout), against: "get-revisions.tsv")
            let traits = try await session.run(["get", "traitdefinitions"])
            try Golden.check(withoutAge(traits.stdout), against: "get-traitdefinitions.tsv")
            let workloads = try await session.run(["get", "workloaddefinition", "-o", "wide"])
            try Golden.check(withoutAge(workloads.stdout), against: "get-workloaddefinitions-wide.tsv")
            let all = try await session.run(["get", "deployments.apps", "-A"])
            try Golden.check(withoutAge(all.stdout), against: "get-deployments-all-namespaces.tsv")

            // One object as JSON; a list as a `kind: List`.
            let one = try await session.run(["get", "app", "shop", "-o", "json"])
            #expect(one.status == 0)
            let app = try JSONValue(parsingJSON: one.stdout)
            #expect(app["kind"]?.stringValue == "ApplicationConfiguration")
            #expect(app["metadata"]?["name"]?.stringValue == "shop")
            let list = try JSONValue(parsingJSON: try await session.run(["get", "components", "-o", "json"]).stdout)
            #expect(list["kind"]?.stringValue == "List")
            #expect((list["items"]?.arrayValue ?? []).compactMap { $0["metadata"]?["name"]?.stringValue } == ["database", "web"])
            let yaml = try await session.run(["get", "applicationconfigurations", "-o", "yaml"])
            #expect(yaml.stdout.hasPrefix("apiVersion: v1\nkind: List\n"))

            // -o name, discovery names and a label selector.
            let names = try await session.run(["get", "revisions", "-o", "name"])
            #expect(names.stdout == "controllerrevision.apps/database-v1\ncontrollerrevision.apps/web-v1\n")
            let selected = try await session.run(["get", "deploy", "-l", "app.oam.dev/component=web", "-o", "name"])
            #expect(selected.stdout == "deployment.apps/web\n")

            // Not found: 1. Unknown kind: 2, naming it. Empty: 0, the message on stderr.
            let missing = try await session.run(["get", "appconfig", "nope"])
            #expect(missing.status == 1)
            #expect(missing.stderr.contains("applicationconfigurations \"nope\" not found in namespace default"))
            let unknown = try await session.run(["get", "appconfgs"])
            #expect(unknown.status == 2)
            #expect(unknown.stderr.contains("unknown kind \"appconfgs\""))
            #expect(unknown.stderr.contains("did you mean appconfigs"))
            let empty = try await session.run(["get", "healthscopes"])
            #expect(empty.status == 0)
            #expect(empty.stdout.isEmpty)
            #expect(empty.stderr == "No resources found in default namespace.\n")
            let emptyData = try await session.run(["get", "healthscopes", "-o", "json"])
            #expect(emptyData.status == 0 && emptyData.stderr.isEmpty)
            #expect(try JSONValue(parsingJSON: emptyData.stdout)["items"]?.arrayValue?.isEmpty == true)
            let misuse = try await session.run(["get", "app", "shop", "-A"])
            #expect(misuse.status == 2)
        }
    }
}

/// A piped table without its AGE column, which changes from run to run.
func withoutAge(_ table: String) -> String {
    let rows = table.split(separator: "\n", omittingEmptySubsequences: false).map {
        $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
    }
    guard let header = rows.first, let age = header.firstIndex(of: "AGE") else { return table }
    return rows.map { row in row.indices.filter { $0 != age }.map { row[$0] }.joined(separator: "\t") }.joined(separator: "\n")
}

@Suite("mizzen get: kinds and columns")
struct KindResolverTests {
    static let mappings = [
        RESTMapping(
            groupVersionKind: GroupVersionKind(group: "", version: "v1", kind: "ConfigMap"),
            groupVersionResource: GroupVersionResource(group: "", version: "v1", resource: "configmaps"),
            namespaced: true, singularName: "configmap", shortNames: ["cm"]),
        RESTMapping(
            groupVersionKind: GroupVersionKind(group: "apps", version: "v1", kind: "Deployment"),
            groupVersionResource: GroupVersionResource(group: "apps", version: "v1", resource: "deployments"),
            namespaced: true, singularName: "deployment", shortNames: ["deploy"]),
    ]

    @Test("a served kind is found by plural, singular, kind, short name, and with its group or version and group",
          arguments: ["deployments", "deployment", "Deployment", "deploy", "deployments.apps", "deploy.v1.apps"])
    func servedKind(_ text: String) {
        #expect(KindResolver.match(text, in: Self.mappings)?.groupVersionKind.kind == "Deployment")
    }

    @Test("a wrong group or an unknown name matches nothing", arguments: ["deployments.batch", "widgets", "deploy.v2.apps"])
    func unknownKind(_ text: String) {
        #expect(KindResolver.match(text, in: Self.mappings) == nil)
    }

    @Test("OAM kinds have short names and plurals; a typo gets a suggestion")
    func oamAliases() {
        for name in ["app", "apps", "appconfig", "ApplicationConfigurations"] {
            #expect(KindResolver.alias(name)?.presentation == .applicationConfiguration)
        }
        #expect(KindResolver.alias("comp")?.presentation == .component)
        #expect(KindResolver.alias("revisions")?.kind.kind == "ControllerRevision")
        #expect(KindResolver.suggestions(for: "compnents", among: ["components", "configmaps"]) == ["components"])
    }

    @Test("ages read as kubectl writes them")
    func ages() {
        #expect([5, 119, 192, 1500, 18_600, 90_000, 270_000, 3_000_000].map(KindTable.duration)
            == ["5s", "119s", "3m12s", "25m", "5h10m", "25h", "3d3h", "34d"])
    }

    @Test("a catalog example fills in required fields only")
    func minimalValue() {
        let schema: JSONValue = [
            "type": "object", "required": ["containers"],
            "properties": [
                "osType": ["type": "string"],
                "containers": ["type": "array", "items": [
                    "type": "object", "required": ["name", "image"],
                    "properties": ["name": ["type": "string"], "image": ["type": "string"], "ports": ["type": "array"]],
                ]],
            ],
        ]
        #expect(CatalogEntry.minimal(schema, name: "spec") == ["containers": [["name": "<name>", "image": "<image>"]]])
    }
}
