import APIMachinery
import OrderedCollections
public import Resources

/// `events.k8s.io/v1` Events are core `v1` Events seen through another API, stored once, as in
/// kube-apiserver: `involvedObject` is `regarding`, `message` is `note`, `reportingComponent` is
/// `reportingController`, and the legacy `source`, `firstTimestamp`, `lastTimestamp` and `count`
/// are the `deprecated…` fields.
///
/// ```swift
/// let core = EventConversion.toCore(["apiVersion": "events.k8s.io/v1", "kind": "Event", "note": "hi"])
/// core["message"]   // "hi"
/// ```
public enum EventConversion {
    /// core `v1` member → `events.k8s.io/v1` member, in the order kube writes an `events.k8s.io/v1` Event.
    private static let renamed: [(core: String, events: String)] = [
        ("eventTime", "eventTime"), ("series", "series"), ("reportingComponent", "reportingController"),
        ("reportingInstance", "reportingInstance"), ("action", "action"), ("reason", "reason"),
        ("involvedObject", "regarding"), ("related", "related"), ("message", "note"), ("type", "type"),
        ("source", "deprecatedSource"), ("firstTimestamp", "deprecatedFirstTimestamp"),
        ("lastTimestamp", "deprecatedLastTimestamp"), ("count", "deprecatedCount"),
    ]

    /// The order kube writes a core `v1` Event's members in.
    private static let coreOrder = [
        "involvedObject", "reason", "message", "source", "firstTimestamp", "lastTimestamp", "count", "type",
        "eventTime", "series", "action", "related", "reportingComponent", "reportingInstance",
    ]

    /// A stored core Event as `events.k8s.io/v1` shows it.
    ///
    /// - Parameter filled: whether to write the members Go writes even when unset (`eventTime`,
    ///   `deprecatedSource`…), as an answer does; `false` gives only what is set, as the field
    ///   manager sees an object.
    public static func toEventsV1(_ event: JSONValue, filled: Bool = true) -> JSONValue {
        guard case .object(let members) = event else { return event }
        var out: JSONObject = ["kind": "Event", "apiVersion": "events.k8s.io/v1"]
        out["metadata"] = members["metadata"] ?? [:]
        for (core, events) in renamed {
            let value = members[core]
            if !filled {
                if let value, !value.isNull, value != "", value != .emptyObject, value != 0 { out[events] = value }
                continue
            }
            switch events {
            // Structs and times without omitempty: kube writes them even when unset.
            case "eventTime", "deprecatedFirstTimestamp", "deprecatedLastTimestamp": out[events] = value ?? .null
            case "deprecatedSource": out[events] = value.presentValue ?? .emptyObject
            case "regarding": out[events] = value ?? .emptyObject
            case "deprecatedCount":
                if let count = value?.intValue, count != 0 { out[events] = .int(count) }
            default:
                if let value, !value.isNull, value != "" { out[events] = value }
            }
        }
        return .object(out)
    }

    /// An `events.k8s.io/v1` Event as a core `v1` Event; `whole` is `false` for a partial apply
    /// configuration, which gets none of the members Go writes when unset.
    public static func toCore(_ event: JSONValue, whole: Bool = true) -> JSONValue {
        guard case .object(let members) = event else { return event }
        var fields: JSONObject = [:]
        for (core, events) in renamed {
            if let value = members[events] { fields[core] = value }
        }
        var out: JSONObject = [:]
        if members["kind"] != nil { out["kind"] = "Event" }
        if members["apiVersion"] != nil { out["apiVersion"] = "v1" }
        if let metadata = members["metadata"] { out["metadata"] = metadata }
        if whole {
            // The members Go writes even when unset.
            fields["involvedObject"] = fields["involvedObject"] ?? .emptyObject
            fields["source"] = fields["source"].presentValue ?? .emptyObject
            for key in ["firstTimestamp", "lastTimestamp"] where fields[key] == nil { fields[key] = .null }
        }
        for key in coreOrder { if let value = fields[key] { out[key] = value } }
        return .object(out)
    }

    /// The checks kube adds for an Event created through `events.k8s.io/v1`
    /// (`ValidateEventCreate` with that request version), on the core form: a set `eventTime`,
    /// type `Normal` or `Warning`, and none of the legacy fields.
    public static func strictCreateCauses(_ core: JSONValue) -> [APIError.Cause] {
        var causes: [APIError.Cause] = []
        if core["eventTime"] == nil || core["eventTime"]?.isNull == true {
            causes.append(FieldErrors.required("eventTime"))
        }
        let type = core["type"]?.stringValue ?? ""
        if type != "Normal", type != "Warning" {
            causes.append(FieldErrors.invalid("type", value: "", "has invalid value: \(type)"))
        }
        for key in ["firstTimestamp", "lastTimestamp"] where !(core[key]?.isNull ?? true) {
            causes.append(FieldErrors.invalid(key, value: "", "needs to be unset"))
        }
        if let count = core["count"]?.intValue, count != 0 {
            causes.append(FieldErrors.invalid("count", value: "", "needs to be unset"))
        }
        let source = core["source"]
        if !(source?["component"]?.stringValue ?? "").isEmpty || !(source?["host"]?.stringValue ?? "").isEmpty {
            causes.append(FieldErrors.invalid("source", value: "", "needs to be unset"))
        }
        return causes
    }
}
