import OrderedCollections
import APIMachinery
import Foundation
import Resources

/// Validation of the `core/v1` kinds with data (ConfigMap, Secret) and of Namespace,
/// ServiceAccount and Event (`pkg/apis/core/validation`).
extension BuiltinKinds {
    /// Secret: valid data keys, at most 1 MiB, the keys its type requires; on update an unchanged
    /// type and, once `immutable`, unchanged data.
    static func secretCauses(_ object: Resource, old: Resource?) -> [APIError.Cause] {
        var causes: [APIError.Cause] = []
        if let old {
            // kube checks the update rules before the Secret itself, and lists them first.
            causes += FieldRules.immutable("type", new: object.object["type"], old: old.object["type"])
        }
        let data = object.object["data"]?.objectValue ?? [:]
        var size = 0
        for (key, value) in data {
            causes += FieldRules.configKeyProblems(key).map { FieldErrors.invalid("data[\(key)]", value: .string(key), $0) }
            size += ((value.stringValue?.utf8.count ?? 0) * 3) / 4
        }
        if size > 1_048_576 { causes.append(FieldErrors.tooLong("data", maxLength: 1_048_576)) }
        let required: [String]
        switch object.object["type"]?.stringValue ?? "" {
        case "kubernetes.io/service-account-token":
            if (object.annotations["kubernetes.io/service-account.name"] ?? "").isEmpty {
                causes.append(FieldErrors.required("metadata.annotations[kubernetes.io/service-account.name]"))
            }
            required = []
        case "kubernetes.io/dockercfg": required = [".dockercfg"]
        case "kubernetes.io/dockerconfigjson": required = [".dockerconfigjson"]
        case "kubernetes.io/ssh-auth": required = ["ssh-privatekey"]
        case "kubernetes.io/tls": required = ["tls.crt", "tls.key"]
        case "kubernetes.io/basic-auth":
            if data["username"] == nil, data["password"] == nil {
                causes += [FieldErrors.required("data[username]"), FieldErrors.required("data[password]")]
            }
            required = []
        default: required = []
        }
        for key in required where data[key] == nil {
            causes.append(FieldErrors.required("data[\(key)]"))
        }
        for key in [".dockercfg", ".dockerconfigjson"] where required == [key] {
            if let encoded = data[key]?.stringValue, let bytes = Data(base64Encoded: encoded),
                (try? JSONSerialization.jsonObject(with: bytes)) as? [String: Any] == nil
            {
                causes.append(FieldErrors.invalid("data[\(key)]", value: "<secret contents redacted>", "invalid character in JSON"))
            }
        }
        if let old {
            causes += immutableDataCauses(object, old: old, fields: ["data"])
        }
        return causes
    }

    /// ConfigMap: valid keys, none both in `data` and `binaryData`, at most 1 MiB; once
    /// `immutable`, unchanged data.
    static func configMapCauses(_ object: Resource, old: Resource?) -> [APIError.Cause] {
        var causes: [APIError.Cause] = []
        let data = object.object["data"]?.objectValue ?? [:]
        let binary = object.object["binaryData"]?.objectValue ?? [:]
        var size = 0
        for (key, value) in data {
            causes += FieldRules.configKeyProblems(key).map { FieldErrors.invalid("data[\(key)]", value: .string(key), $0) }
            size += value.stringValue?.utf8.count ?? 0
        }
        for (key, value) in binary {
            causes += FieldRules.configKeyProblems(key).map { FieldErrors.invalid("binaryData[\(key)]", value: .string(key), $0) }
            if data[key] != nil {
                causes.append(FieldErrors.invalid("data[\(key)]", value: .string(key), "duplicate of key present in binaryData"))
            }
            size += ((value.stringValue?.utf8.count ?? 0) * 3) / 4
        }
        if size > 1_048_576 {
            causes.append(FieldErrors.tooLong("", maxLength: 1_048_576))
        }
        if let old { causes += immutableDataCauses(object, old: old, fields: ["data", "binaryData"]) }
        return causes
    }

    /// Once an object says `immutable: true`, it stays so and its data does not change.
    static func immutableDataCauses(_ object: Resource, old: Resource, fields: [String]) -> [APIError.Cause] {
        guard old.object["immutable"]?.boolValue == true else { return [] }
        var causes: [APIError.Cause] = []
        if object.object["immutable"]?.boolValue != true {
            causes.append(FieldErrors.forbidden("immutable", "field is immutable when `immutable` is set"))
        }
        for field in fields where !sameMap(object.object[field], old.object[field]) {
            causes.append(FieldErrors.forbidden(field, "field is immutable when `immutable` is set"))
        }
        return causes
    }

    /// Maps equal as Go compares them: a missing map and an empty one are the same.
    static func sameMap(_ lhs: JSONValue?, _ rhs: JSONValue?) -> Bool {
        let left = lhs?.objectValue ?? [:]
        let right = rhs?.objectValue ?? [:]
        return JSONValue.object(left) == JSONValue.object(right)
    }

    /// Namespace: its `spec.finalizers` are qualified names; the name itself is checked with the
    /// metadata.
    static func namespaceCauses(_ object: Resource, old: Resource?) -> [APIError.Cause] {
        var causes: [APIError.Cause] = []
        for (index, finalizer) in (object.spec?["finalizers"]?.arrayValue ?? []).enumerated() {
            let text = finalizer.stringValue ?? ""
            let problems = NameRules.qualifiedName(text)
            causes += problems.map { FieldErrors.invalid("spec.finalizers[\(index)]", value: finalizer, $0) }
            if problems.isEmpty, !text.contains("/"), text != "kubernetes" {
                causes.append(FieldErrors.invalid("spec.finalizers[\(index)]", value: finalizer,
                                                  "name is neither a standard finalizer name nor is it fully qualified"))
            }
        }
        return causes
    }

    /// ServiceAccount: the secrets and image pull secrets it lists are named.
    static func serviceAccountCauses(_ object: Resource) -> [APIError.Cause] {
        var causes: [APIError.Cause] = []
        for list in ["secrets", "imagePullSecrets"] {
            for (index, reference) in (object.object[list]?.arrayValue ?? []).enumerated()
            where reference["name"]?.stringValue?.isEmpty ?? false {
                causes.append(FieldErrors.required("\(list)[\(index)].name"))
            }
        }
        return causes
    }

    /// Event (`core/v1`, without `eventTime`): the object it is about is in the Event's namespace
    /// (a cluster-scoped one's Events go to `default`).
    static func eventCauses(_ object: Resource) -> [APIError.Cause] {
        guard object.object["eventTime"] == nil || object.object["eventTime"]?.isNull == true else { return [] }
        let involved = object.object["involvedObject"]?["namespace"]?.stringValue ?? ""
        let own = object.namespace ?? ""
        let matches = involved.isEmpty ? (own.isEmpty || own == "default") : involved == own
        guard matches else {
            return [FieldErrors.invalid("involvedObject.namespace", value: .string(involved), "does not match event.namespace")]
        }
        return []
    }

    /// Lease: a positive duration and non-negative transitions.
    static func leaseCauses(_ object: Resource) -> [APIError.Cause] {
        var causes: [APIError.Cause] = []
        if let duration = object.spec?["leaseDurationSeconds"], let seconds = duration.intValue, seconds <= 0 {
            causes.append(FieldErrors.invalid("spec.leaseDurationSeconds", value: duration, "must be greater than 0"))
        }
        causes += FieldRules.nonNegative("spec.leaseTransitions", object.spec?["leaseTransitions"])
        if let holder = object.spec?["preferredHolder"]?.stringValue, !holder.isEmpty,
            object.spec?["strategy"]?.stringValue?.isEmpty ?? true
        {
            causes.append(FieldErrors.forbidden("spec.preferredHolder", "may only be specified if `strategy` is defined"))
        }
        return causes
    }
}
