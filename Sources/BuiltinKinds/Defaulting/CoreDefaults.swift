import OrderedCollections
import Foundation
import Resources

extension BuiltinKinds {
    /// Namespace defaults: the `kubernetes.io/metadata.name` label carries the name (a namespace
    /// asked for by `generateName` gets it once named). The store adds `spec.finalizers` and the
    /// `Active` phase.
    static func applyNamespaceDefaults(_ object: inout Resource) {
        guard !object.name.isEmpty else { return }
        if object.labels["kubernetes.io/metadata.name"] != object.name {
            object.setLabel("kubernetes.io/metadata.name", object.name)
        }
    }

    /// Secret defaults: type `Opaque`, and `stringData` written into `data` (base64, overriding
    /// keys of the same name) and removed, as kube-apiserver stores it.
    static func applySecretDefaults(_ object: inout JSONObject) {
        object.setDefaultString("type", "Opaque")
        guard let stringData = object.removeValue(forKey: "stringData")?.objectValue, !stringData.isEmpty else { return }
        var data = object["data"]?.objectValue ?? [:]
        for (key, value) in stringData {
            data[key] = .string(Data((value.stringValue ?? "").utf8).base64EncodedString())
        }
        object["data"] = .object(data)
    }
}
