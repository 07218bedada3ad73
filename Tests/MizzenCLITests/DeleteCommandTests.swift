import Foundation
import OrderedCollections
import Resources
import TestSupport
import Testing

@Suite("mizzen delete", .serialized)
struct DeleteCommandTests {
    @Test("--dry-run lists the AppConfig and what it owns and deletes nothing; --wait deletes them all; an unknown app exits 1")
    func deleteEndToEnd() async throws {
        guard Kubectl.isInstalled else { return }
        try await PlaneSession.with { session in
            try await session.up([CLI.example("data-passing")])
            let kubeconfig = session.directory.appendingPathComponent("kubeconfig").path
            func names() async throws -> [String] {
                let result = try await Kubectl.run([
                    "--kubeconfig", kubeconfig, "get", "deployments,applicationconfigurations", "-o", "name",
                ])
                #expect(result.status == 0, "\(result.stderr)")
                return result.stdout.split(separator: "\n").map(String.init).sorted()
            }
            let before = try await names()
            #expect(before == [
                "applicationconfiguration.core.oam.dev/shop", "deployment.apps/database", "deployment.apps/web",
            ])

            let dryRun = try await session.run(["delete", "shop", "--dry-run", "-o", "json"])
            #expect(dryRun.status == 0, "\(dryRun.stderr)")
            let listed = (try JSONValue(parsingJSON: dryRun.stdout).arrayValue ?? []).map {
                "\($0["kind"]?.stringValue ?? "")/\($0["name"]?.stringValue ?? "") \($0["owner"]?.stringValue ?? "-")"
            }
            // The plane's deployment controller runs each Deployment through a ReplicaSet named
            // after it and its pod-template-hash; GC deletes them (and their Pods) with it.
            #expect(listed.map { $0.replacing(/-[0-9a-z]{6,10} Deployment\//, with: "-HASH Deployment/") } == [
                "ApplicationConfiguration/shop -", "Deployment/database ApplicationConfiguration/shop",
                "Deployment/web ApplicationConfiguration/shop",
                "ReplicaSet/database-HASH Deployment/database", "ReplicaSet/web-HASH Deployment/web",
            ])
            #expect(dryRun.stderr.contains("nothing was deleted"))
            let table = try await session.run(["delete", "shop", "--dry-run"])
            #expect(table.stdout.hasPrefix("KIND\tNAME\tOWNER\nApplicationConfiguration\tshop\t-\n"))
            #expect(try await names() == before)

            let unknown = try await session.run(["delete", "nope"])
            #expect(unknown.status == 1)
            #expect(unknown.stderr.contains("error: ApplicationConfiguration nope not found in namespace default"))

            let deleted = try await session.run(["delete", "shop", "--wait", "--timeout", "30s"])
            #expect(deleted.status == 0, "\(deleted.stderr)")
            #expect(deleted.stderr.contains("all 5 objects are gone"), "\(deleted.stderr)")
            #expect(try await names() == [])
        }
    }
}
