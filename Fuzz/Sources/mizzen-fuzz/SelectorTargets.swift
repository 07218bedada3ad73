import FuzzSupport
import Resources
import Store

/// Label selectors (`app=web,tier in (a,b),!canary`) and field selectors
/// (`metadata.name=x,status.phase!=Running`): parsing, printing back, matching.
enum SelectorTargets {
    static let labels = ["app": "web", "tier": "a", "a.b/c": "d", "empty": ""]

    static func label(_ bytes: [UInt8]) {
        let text = utf8Text(bytes)
        guard let selector = try? LabelSelector(parsing: text) else { return }
        let printed = selector.description
        guard let again = try? LabelSelector(parsing: printed) else { broken("\(printed) (from \(text)) does not parse") }
        if again.description != printed { broken("\(printed) printed again as \(again.description)") }
        if again.matches(labels) != selector.matches(labels) { broken("\(text) and \(printed) match differently") }
    }

    static let pod: Resource = {
        let json = #"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web-0","namespace":"default"},"#
            + #""spec":{"nodeName":"node-1","restartPolicy":"Always"},"status":{"phase":"Running","podIP":"10.0.0.1"}}"#
        guard case .object(let members) = try! JSONValue(parsingJSON: json) else { fatalError() }
        return Resource(object: members)
    }()

    static func field(_ bytes: [UInt8]) {
        let text = utf8Text(bytes)
        guard let selector = try? FieldSelector(parsing: text, fields: .forKind(group: "", kind: "Pod")) else { return }
        _ = selector.matches(pod)
        _ = selector.matches(namespace: "default", name: "web-0")
        let printed = selector.description
        guard let again = try? FieldSelector(parsing: printed, fields: .forKind(group: "", kind: "Pod")) else {
            broken("\(printed) (from \(text)) does not parse")
        }
        if again.matches(pod) != selector.matches(pod) { broken("\(text) and \(printed) match differently") }
    }
}
