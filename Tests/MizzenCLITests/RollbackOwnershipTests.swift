import Foundation
import Resources
import TestSupport
import Testing

@testable import mizzen

@Suite("mizzen rollback: who owns spec.components", .serialized)
struct RollbackOwnershipTests {
    static let kubectl: JSONValue = [
        "manager": "kubectl", "operation": "Apply", "apiVersion": "core.oam.dev/v1alpha2", "time": "2026-01-01T00:00:00Z",
        "fieldsType": "FieldsV1", "fieldsV1": ["f:metadata": ["f:labels": ["f:team": [:]]], "f:spec": ["f:components": [:]]],
    ]
    static let controller: JSONValue = [
        "manager": "mizzen-controller", "operation": "Update", "apiVersion": "core.oam.dev/v1alpha2", "subresource": "status",
        "fieldsType": "FieldsV1", "fieldsV1": ["f:status": ["f:conditions": [:]]],
    ]
    static let rollback: JSONValue = [
        "manager": "mizzen-rollback", "operation": "Update", "apiVersion": "core.oam.dev/v1alpha2",
        "fieldsType": "FieldsV1", "fieldsV1": ["f:spec": ["f:components": [:]]],
    ]

    @Test("the owners of spec.components are the managers that own it, but rollback and subresources")
    func owners() {
        let owners = ComponentsOwnership.owners(in: [Self.kubectl, Self.controller, Self.rollback], except: "mizzen-rollback")
        #expect(owners == [Self.kubectl])
    }

    @Test("after a pin the owners come back beside rollback; after an unpin rollback's entry goes and theirs is whole again")
    func handBack() {
        // The pin's update took the list from kubectl, leaving it its label.
        var stripped = Self.kubectl
        stripped["fieldsV1"] = ["f:metadata": ["f:labels": ["f:team": [:]]]]
        let pinned = ComponentsOwnership.handedBack(
            [stripped, Self.controller, Self.rollback], owners: [Self.kubectl], manager: "mizzen-rollback", release: false)
        #expect(pinned == [Self.kubectl, Self.controller, Self.rollback])

        // The unpin's update emptied kubectl's entry away: it comes back, and rollback's goes.
        let unpinned = ComponentsOwnership.handedBack(
            [Self.controller, Self.rollback], owners: [Self.kubectl], manager: "mizzen-rollback", release: true)
        #expect(unpinned == [Self.controller, Self.kubectl])

        // Rollback keeps what else it owns.
        var more = Self.rollback
        more["fieldsV1"] = ["f:metadata": ["f:labels": ["f:pinned": [:]]], "f:spec": [".": [:], "f:components": [:]]]
        let kept = ComponentsOwnership.handedBack([more], owners: [], manager: "mizzen-rollback", release: true)
        #expect(kept.first?["fieldsV1"] == ["f:metadata": ["f:labels": ["f:pinned": [:]]]])
        #expect(ComponentsOwnership.handedBack([Self.rollback], owners: [], manager: "mizzen-rollback", release: true).isEmpty)
        #expect(ComponentsOwnership.patch(resourceVersion: "7", entries: [])[1]?["value"] == [[:]])
    }

    @Test("after rollback --to latest a server-side apply of the user's edited file goes through, and owns the list alone again",
          arguments: CLIPlace.Substrate.available)
    func applyAfterUnpin(on substrate: CLIPlace.Substrate) async throws {
        guard Kubectl.isInstalled else { return }
        let directory = InitCommandTests.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let written = try await CLI.run(["init", directory, "--name", "owned", "--image", "nginx:1.27", "--workload", "deployment"])
        try #require(written.status == 0, "\(written.stderr)")
        let component = "\(directory)/component.yaml"
        let appConfig = "\(directory)/appconfig.yaml"
        try await CLIPlace.with(substrate) { place in
            // The plane starts with the first `mizzen up`; the user's applier from then on is
            // kubectl (which takes the Component's fields from `mizzen` by force).
            if substrate == .embedded { _ = try await place.mizzen(["up", "-f", component]) }
            func apply(_ file: String, force: Bool = false, _ edit: (String) -> String = { $0 }) async throws -> Kubectl.Result {
                let text = edit(try String(contentsOfFile: file, encoding: .utf8))
                return try await place.kubectl(["apply", "--server-side", "-f", "-"] + (force ? ["--force-conflicts"] : []), stdin: text)
            }
            func latestRevision() async throws -> String {
                try await place.jsonpath("component", "owned", "{.status.latestRevision.name}")
            }
            let first = try await apply(component, force: true)
            try #require(first.status == 0, "\(first.stderr)")
            let v1 = try await eventually(timeout: .seconds(30)) { try await latestRevision() == "owned-v1" }
            try #require(v1, "no revision owned-v1")
            let second = try await apply(component, force: true) { $0.replacingOccurrences(of: "nginx:1.27", with: "nginx:1.28") }
            try #require(second.status == 0, "\(second.stderr)")
            let v2 = try await eventually(timeout: .seconds(30)) { try await latestRevision() == "owned-v2" }
            try #require(v2, "no revision owned-v2")
            let app = try await apply(appConfig)
            try #require(app.status == 0, "\(app.stderr)")

            func owners() async throws -> [String] {
                let object = try await place.kubectl(["get", "appconfig", "owned", "-o", "json", "--show-managed-fields"])
                let entries = try JSONValue(parsingJSON: object.stdout)["metadata"]?["managedFields"]?.arrayValue ?? []
                return ComponentsOwnership.names(ComponentsOwnership.owners(in: entries, except: "")).sorted()
            }
            #expect(try await owners() == ["kubectl"])

            let pin = try await place.mizzen(["rollback", "owned", "--to", "1"])
            #expect(pin.status == 0, "\(pin.stderr)")
            #expect(pin.stdout.contains("spec.components stays kubectl's too"), "\(pin.stdout)")
            #expect(try await owners() == ["kubectl", "mizzen-rollback"])
            // The pin is not undone unnoticed: the file still says componentName.
            let edited: (String) -> String = { $0.replacingOccurrences(of: "value: nginx:1.27", with: "value: nginx:1.29") }
            let refused = try await apply(appConfig, edited)
            #expect(refused.status != 0)
            #expect(refused.stderr.contains("conflict with \"mizzen-rollback\""), "\(refused.stderr)")

            let unpin = try await place.mizzen(["rollback", "owned", "--to", "latest"])
            #expect(unpin.status == 0, "\(unpin.stderr)")
            #expect(unpin.stdout.contains("spec.components is owned by kubectl again, as before the pin"), "\(unpin.stdout)")
            #expect(try await owners() == ["kubectl"])
            let managers = try await place.kubectl([
                "get", "appconfig", "owned", "--show-managed-fields", "-o", "jsonpath={.metadata.managedFields[*].manager}",
            ])
            #expect(!managers.stdout.contains("mizzen-rollback"), "\(managers.stdout)")

            let accepted = try await apply(appConfig, edited)
            #expect(accepted.status == 0, "\(accepted.stderr)")
            let entry = try await place.jsonpath("appconfig", "owned", "{.spec.components[0]}")
            #expect(entry.contains("nginx:1.29") && entry.contains("\"componentName\":\"owned\"") && !entry.contains("revisionName"),
                    "\(entry)")
            #expect(try await owners() == ["kubectl"])
        }
    }
}
