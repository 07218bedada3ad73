import APIServer
import Foundation
import Resources
import TestSupport
import Testing

/// The `default` ServiceAccount and the `kube-root-ca.crt` ConfigMap every namespace holds, as
/// kube-controller-manager's serviceaccount and root-ca-cert-publisher controllers keep them.
@Suite("Namespace defaults with kubectl", .enabled(if: Kubectl.isInstalled))
struct NamespaceDefaultsTests {
    @Test("a new namespace gets its default ServiceAccount and kube-root-ca.crt with the plane's CA")
    func newNamespace() async throws {
        let plane = try await EmbeddedPlane.start(oam: false)
        try await plane.kubectlOK(["create", "namespace", "fresh"])
        #expect(try await plane.kubectlOK(["-n", "fresh", "get", "sa", "-o", "name"]) == "serviceaccount/default\n")
        let configMap = try JSONValue(parsingJSON: try await plane.kubectlOK(["-n", "fresh", "get", "cm", "kube-root-ca.crt", "-o", "json", "--show-managed-fields"]))
        let certificate = configMap["data"]?["ca.crt"]?.stringValue ?? ""
        #expect(certificate.hasPrefix("-----BEGIN CERTIFICATE-----"))
        #expect(configMap["metadata"]?["annotations"]?["kubernetes.io/description"]?.stringValue?.hasPrefix("Contains a CA bundle") == true)
        #expect(configMap["metadata"]?["managedFields"]?[0]?["manager"] == "kube-controller-manager")
        // The CA the kubeconfig trusts.
        let kubeconfig = try String(contentsOf: plane.endpoint.kubeconfig, encoding: .utf8)
        let authority = kubeconfig.split(separator: "\n").first { $0.contains("certificate-authority-data") }
        let encoded = authority?.split(separator: ":").last?.trimmingCharacters(in: .whitespaces) ?? ""
        #expect(Data(base64Encoded: encoded).flatMap { String(data: $0, encoding: .utf8) } == certificate)
        // The default namespace has them from the start; a deleted ServiceAccount comes back when the namespace is written.
        #expect(try await plane.kubectlOK(["-n", "default", "get", "sa", "default", "-o", "name"]) == "serviceaccount/default\n")
        try await plane.kubectlOK(["-n", "fresh", "delete", "sa", "default"])
        try await plane.kubectlOK(["label", "namespace", "fresh", "touched=yes"])
        #expect(try await plane.kubectlOK(["-n", "fresh", "get", "sa", "-o", "name"]) == "serviceaccount/default\n")
        await plane.stop()
    }

    @Test("a pod's ServiceAccount token can read kube-root-ca.crt only when RBAC says so")
    func readableWithRBAC() async throws {
        let plane = try await EmbeddedPlane.start(oam: false)
        try await plane.kubectlOK(["create", "namespace", "team"])
        let token = try await plane.kubectlOK(["-n", "team", "create", "token", "default"]).trimmingCharacters(in: .whitespacesAndNewlines)
        let denied = try await plane.kubectl(["--token", token, "-n", "team", "get", "cm", "kube-root-ca.crt"])
        #expect(denied.stderr.contains(#"configmaps "kube-root-ca.crt" is forbidden: User "system:serviceaccount:team:default" cannot get resource "configmaps" in API group "" in the namespace "team""#), "\(denied.stderr)")
        await plane.stop()
    }
}
