import OAMControllers
import Foundation
import OAM
import Resources
import TestSupport
import Testing

@Suite("mizzen install", .serialized)
struct InstallCommandTests {
    static let kubectl = URL(fileURLWithPath: "/usr/bin/kubectl")
    static var kubectlInstalled: Bool { FileManager.default.isExecutableFile(atPath: kubectl.path) }

    @Test("install --print writes the CRDs, built-in definitions and the controller's identity as YAML that reads back as the same objects")
    func printsObjects() async throws {
        let result = try await CLI.run(["install", "--print"])
        #expect(result.status == 0, "\(result.stderr)")
        let documents = try DocumentDecoder.decode(result.stdout, file: nil)
        let expected = (OAMCustomResourceDefinitions.all + BuiltinDefinitions.all + ControllerIdentity.objects).map(\.value)
        #expect(documents.map(\.value) == expected)
        // 8 core CRDs and 3 core definitions, the catalog's entries (a definition each, a CRD for
        // each custom kind) and the identity's 4 objects.
        let catalog = StandardCatalog.entries
        #expect(documents.count == 8 + 3 + catalog.count + catalog.filter { $0.customResourceDefinition != nil }.count + 4)
    }

    @Test("install against mizzen serve reports each object, and a second run changes nothing")
    func installTwice() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mizzen-install-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let (server, _, _) = try ServeCommandTests.start(directory)
        defer {
            server.stop()
        }
        let kubeconfig = directory.appendingPathComponent("kubeconfig").path
        let names = (OAMCustomResourceDefinitions.all + BuiltinDefinitions.all + ControllerIdentity.objects).map {
            let group = $0.groupVersionKind.group
            return "\($0.kind.lowercased())\(group.isEmpty ? "" : ".\(group)")/\($0.name)"
        }
        let identity = Set(ControllerIdentity.objects.map(\.name))
        if Self.kubectlInstalled {
            // The plane has everything from its start; take one object away and change another.
            let base = ["--kubeconfig", kubeconfig]
            let deleted = try await ProcessRunner.run(
                Self.kubectl, base + ["delete", "traitdefinition", "manualscalertraits.core.oam.dev"])
            #expect(deleted.status == 0, "\(deleted.stderr)")
            let patched = try await ProcessRunner.run(
                Self.kubectl, base + ["patch", "workloaddefinition", "containerizedworkloads.core.oam.dev",
                                      "--type=merge", "-p", #"{"spec":{"definitionRef":{"name":"elsewhere.example.com"}}}"#])
            #expect(patched.status == 0, "\(patched.stderr)")
        }

        let first = try await CLI.run(["install", "--kubeconfig", kubeconfig])
        #expect(first.status == 0, "\(first.stderr)")
        let firstLines = first.stdout.split(separator: "\n").map(String.init)
        #expect(firstLines.count == names.count, "\(first.stdout)")
        for name in names {
            var outcome = "unchanged"
            if Self.kubectlInstalled, name.hasSuffix("/manualscalertraits.core.oam.dev"), name.hasPrefix("traitdefinition") {
                outcome = "created"
            }
            // Only the patched definition changed.
            if Self.kubectlInstalled, name == "workloaddefinition.core.oam.dev/containerizedworkloads.core.oam.dev" {
                outcome = "configured"
            }
            // The plane does not hold the controller's identity: the first install creates it.
            if let object = name.split(separator: "/").last, identity.contains(String(object)) { outcome = "created" }
            #expect(firstLines.contains("\(name) \(outcome)"), "\(name) \(outcome) missing in:\n\(first.stdout)")
        }

        let second = try await CLI.run(["install", "--kubeconfig", kubeconfig])
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stdout.split(separator: "\n").map(String.init) == names.map { "\($0) unchanged" })
    }

    @Test("install with an unreachable server or a missing kubeconfig fails with a message saying what to do")
    func unreachable() async throws {
        let kubeconfig = try CLI.temporaryFile("""
            apiVersion: v1
            kind: Config
            clusters:
              - name: nowhere
                cluster: {server: "https://127.0.0.1:1", insecure-skip-tls-verify: true}
            users:
              - name: someone
                user: {token: abc}
            contexts:
              - name: nowhere
                context: {cluster: nowhere, user: someone}
            current-context: nowhere
            """, name: "kubeconfig")
        let result = try await CLI.run(["install", "--kubeconfig", kubeconfig])
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("cannot reach the Kubernetes API server at https://127.0.0.1:1"), "\(result.stderr)")
        #expect(result.stderr.contains("--kubeconfig"), "\(result.stderr)")

        let missing = try await CLI.run(["install", "--kubeconfig", "/nonexistent/kubeconfig"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("/nonexistent/kubeconfig"), "\(missing.stderr)")

        let context = try await CLI.run(["install", "--kubeconfig", kubeconfig, "--context", "elsewhere"])
        #expect(context.status == 2)
        #expect(context.stderr.contains("elsewhere"), "\(context.stderr)")
    }
}
