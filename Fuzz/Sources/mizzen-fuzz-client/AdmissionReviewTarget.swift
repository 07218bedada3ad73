import FuzzSupport
import Dispatch
import Logging
import OAM
@testable import OAMControllers
import Resources

/// The admission webhooks' AdmissionReview decoder and the admission behind it, over the
/// built-in definitions and CRDs and one Component `web`. The first byte picks the webhook path.
enum AdmissionReviewTarget {
    static let component: Resource = {
        let json = #"{"apiVersion":"core.oam.dev/v1alpha2","kind":"Component","metadata":{"name":"web","namespace":"default"},"#
            + #""spec":{"workload":{"apiVersion":"core.oam.dev/v1alpha2","kind":"ContainerizedWorkload","#
            + #""spec":{"containers":[{"name":"main","image":"nginx"}]}}}}"#
        guard case .object(let members) = try! JSONValue(parsingJSON: json) else { fatalError() }
        return Resource(object: members)
    }()

    static let stored: [Resource] = BuiltinDefinitions.all + OAMCustomResourceDefinitions.all + [component]

    static let server: WebhookServer = {
        let quiet = Logger(label: "mizzen.fuzz") { _ in SwiftLogNoOpLogHandler() }
        let admission = OAMAdmission(lookup: { kind, namespace, name in
            stored.filter { object in
                object.kind == kind.kind && (name == nil || object.name == name)
                    && (namespace == nil || object.namespace == nil || object.namespace == namespace)
            }
        }, logger: quiet)
        return try! WebhookServer(admission: admission, configuration: .init(port: 0, hosts: ["localhost"]), logger: quiet)
    }()

    static let paths = WebhookServer.paths.keys.sorted()

    static func run(_ bytes: [UInt8]) {
        guard let selector = bytes.first else { return }
        let path = paths[Int(selector) % paths.count]
        let body = Array(bytes.dropFirst())
        let done = DispatchSemaphore(value: 0)
        Task {
            _ = await server.review(path: path, body: body)
            done.signal()
        }
        done.wait()
    }
}
