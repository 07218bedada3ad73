import APIServer
import Foundation
import OrderedCollections
import Resources
import TestSupport
import Testing

/// Reads, watches, Tables and error answers as kube-apiserver gives them (issue 10, found by the
/// differential test). Each expectation is what the real kube-apiserver answered to the same request.
@Suite("Read fidelity: unknown paths, error details, metadata-only and Table answers, selectors, watches")
struct ReadFidelityTests {
    /// One answer of the plane's API handler: status, body and content type.
    struct Answer {
        var status: Int
        var body: JSONValue
        var contentType: String
    }

    static func answer(
        _ plane: EmbeddedPlane, _ method: String, _ path: String, query: [String: String] = [:],
        accept: String = "application/json", contentType: String = "application/json", body: String = ""
    ) async -> Answer? {
        let response = await plane.server.handler.handle(APIRequest(
            method: method, path: path, query: query, accept: accept, contentType: contentType,
            body: Array(body.utf8)))
        guard case .json(let status, let body, let contentType) = response else { return nil }
        return Answer(status: status, body: body, contentType: contentType)
    }

    /// Runs `body` against a fresh plane without the OAM seed, and stops it whatever happens.
    static func withPlane(_ body: (EmbeddedPlane) async throws -> Void) async throws {
        let plane = try await EmbeddedPlane.start(oam: false)
        do {
            try await body(plane)
        } catch {
            await plane.stop()
            throw error
        }
        await plane.stop()
    }

    static let configMap = #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm","labels":{"set":"x"}},"data":{"a":"1"}}"#

    // MARK: unknown paths

    @Test("paths of no served group get the mux's plain-text 404; the rest of /api and /apis a NotFound Status")
    func unknownPaths() async throws {
        try await Self.withPlane { plane in
            for path in ["/apis/nope.example.com/v1/things", "/apis/nope.example.com/v1", "/apis/nope.example.com", "/foo"] {
                let answer = try #require(await Self.answer(plane, "GET", path))
                #expect(answer.status == 404, "\(path)")
                #expect(answer.contentType == "text/plain; charset=utf-8", "\(path)")
                #expect(answer.body == "404 page not found\n", "\(path)")
            }
            for path in [
                "/apis/apps/v9/deployments", "/apis/apps/v9", "/apis/apps/v1/nopes", "/api/v2", "/api/v2/pods",
                "/api/v1/nopes", "/api/v1/namespaces/default/nopes", "/api/v1/nodes/x/y/z",
            ] {
                let answer = try #require(await Self.answer(plane, "GET", path))
                #expect(answer.status == 404, "\(path)")
                #expect(answer.contentType == "application/json", "\(path)")
                #expect(answer.body["reason"] == "NotFound", "\(path)")
                #expect(answer.body["details"]?.objectValue?.isEmpty == true, "\(path)")
            }
        }
    }

    // MARK: generic error answers

    @Test("404 of a subresource, 405 and a built-in's 415 on PATCH carry empty details, and 405 names no method")
    func genericErrorsKeepEmptyDetails() async throws {
        try await Self.withPlane { plane in
            let created = try #require(await Self.answer(
                plane, "POST", "/api/v1/namespaces/default/configmaps", body: Self.configMap))
            #expect(created.status == 201)
            for path in ["/api/v1/namespaces/default/configmaps/cm/status", "/api/v1/namespaces/default/configmaps/cm/scale"] {
                let answer = try #require(await Self.answer(plane, "GET", path))
                #expect(answer.status == 404)
                #expect(answer.body["details"]?.objectValue?.isEmpty == true)
            }
            let put = try #require(await Self.answer(plane, "PUT", "/api/v1/namespaces/default/configmaps", body: "{}"))
            #expect(put.status == 405)
            #expect(put.body["reason"] == "MethodNotAllowed")
            #expect(put.body["message"] == "the server does not allow this method on the requested resource")
            #expect(put.body["details"]?.objectValue?.isEmpty == true)
            let patch = try #require(await Self.answer(
                plane, "PATCH", "/api/v1/namespaces/default/configmaps/cm", body: #"{"data":{"a":"2"}}"#))
            #expect(patch.status == 415)
            #expect(patch.body["reason"] == "UnsupportedMediaType")
            #expect(patch.body["details"]?.objectValue?.isEmpty == true)
        }
    }

    @Test("a body in an unknown format is a 415 listing JSON, YAML and protobuf, without details")
    func unknownBodyFormat() async throws {
        try await Self.withPlane { plane in
            let answer = try #require(await Self.answer(
                plane, "POST", "/api/v1/namespaces/default/configmaps", contentType: "text/plain", body: "hi"))
            #expect(answer.status == 415)
            #expect(answer.body["reason"] == "UnsupportedMediaType")
            #expect(answer.body["message"] == "the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf")
            #expect(answer.body["details"] == nil)
        }
    }

    @Test("an unsupported propagationPolicy is an invalid meta.k8s.io DeleteOptions, without a name, listing nil")
    func badPropagationPolicy() async throws {
        try await Self.withPlane { plane in
            _ = await Self.answer(plane, "POST", "/api/v1/namespaces/default/configmaps", body: Self.configMap)
            let answer = try #require(await Self.answer(
                plane, "DELETE", "/api/v1/namespaces/default/configmaps/cm", body: #"{"propagationPolicy":"Bogus"}"#))
            #expect(answer.status == 422)
            #expect(answer.body["details"]?["group"] == "meta.k8s.io")
            #expect(answer.body["details"]?["kind"] == "DeleteOptions")
            #expect(answer.body["details"]?["name"] == nil)
            #expect(answer.body["details"]?["causes"]?[0]?["message"]
                == #"Unsupported value: "Bogus": supported values: "Foreground", "Background", "Orphan", "nil""#)
        }
    }

    // MARK: metadata-only answers

    @Test("as=PartialObjectMetadataList and as=PartialObjectMetadata answer metadata only, in lists, gets and watches")
    func partialObjectMetadata() async throws {
        try await Self.withPlane { plane in
            _ = await Self.answer(plane, "POST", "/api/v1/namespaces/default/configmaps", body: Self.configMap)
            let list = try #require(await Self.answer(
                plane, "GET", "/api/v1/namespaces/default/configmaps",
                accept: "application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io,application/json"))
            #expect(list.status == 200)
            #expect(list.body["kind"] == "PartialObjectMetadataList")
            #expect(list.body["apiVersion"] == "meta.k8s.io/v1")
            #expect(list.body["metadata"]?["resourceVersion"] != nil)
            let item = try #require(list.body["items"]?[0])
            #expect(item["kind"] == "PartialObjectMetadata")
            #expect(item["metadata"]?["name"] == "cm")
            #expect(item["data"] == nil)
            // kube writes an empty one with null items.
            let empty = try #require(await Self.answer(
                plane, "GET", "/api/v1/namespaces/default/configmaps", query: ["labelSelector": "set=none"],
                accept: "application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io"))
            #expect(empty.body["items"] == .null)

            let one = try #require(await Self.answer(
                plane, "GET", "/api/v1/namespaces/default/configmaps/cm",
                accept: "application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io"))
            #expect(one.body["kind"] == "PartialObjectMetadata")
            #expect(one.body["metadata"]?["labels"]?["set"] == "x")
            #expect(one.body["data"] == nil)

            let wrongForm = try #require(await Self.answer(
                plane, "GET", "/api/v1/namespaces/default/configmaps",
                accept: "application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io"))
            #expect(wrongForm.status == 406)
            #expect(wrongForm.body["reason"] == "NotAcceptable")

            let response = await plane.server.handler.handle(APIRequest(
                method: "GET", path: "/api/v1/namespaces/default/configmaps",
                query: ["watch": "1", "timeoutSeconds": "5"],
                accept: "application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io"))
            guard case .watch(let stream, _) = response else {
                Issue.record("not a watch")
                return
            }
            var events = stream.makeAsyncIterator()
            let event = try #require(try await events.next())
            #expect(event["type"] == "ADDED")
            #expect(event["object"]?["kind"] == "PartialObjectMetadata")
            #expect(event["object"]?["data"] == nil)
        }
    }

    // MARK: Tables

    @Test("Tables carry the resourceVersion and describe columns with the upstream field documentation")
    func tables() async throws {
        try await Self.withPlane { plane in
            let created = try #require(await Self.answer(
                plane, "POST", "/api/v1/namespaces/default/configmaps", body: Self.configMap))
            let accept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"
            let list = try #require(await Self.answer(plane, "GET", "/api/v1/namespaces/default/configmaps", accept: accept))
            #expect(list.body["metadata"]?["resourceVersion"] != nil)
            let columns = try #require(list.body["columnDefinitions"]?.arrayValue)
            #expect(columns.map { $0["name"]?.stringValue } == ["Name", "Data", "Age"])
            #expect(columns[0]["description"]?.stringValue?.hasSuffix(
                "Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names") == true)
            #expect(columns[1]["description"]?.stringValue?.hasPrefix(
                "Data contains the configuration data. Each key must consist of alphanumeric characters") == true)
            #expect(columns[2]["description"]?.stringValue?.contains("Populated by the system. Read-only. Null for lists.") == true)

            let one = try #require(await Self.answer(plane, "GET", "/api/v1/namespaces/default/configmaps/cm", accept: accept))
            #expect(one.body["metadata"]?["resourceVersion"] == created.body["metadata"]?["resourceVersion"])

            // An enum's OpenAPI text lists its values; kube's column description does not.
            let services = try #require(await Self.answer(plane, "GET", "/api/v1/namespaces/default/services", accept: accept))
            let type = try #require(services.body["columnDefinitions"]?[1]?["description"]?.stringValue)
            #expect(type.hasPrefix("type determines how the Service is exposed. Defaults to ClusterIP."))
            #expect(type.hasSuffix("#publishing-services-service-types"))
            let accounts = try #require(await Self.answer(
                plane, "GET", "/api/v1/namespaces/default/serviceaccounts", accept: accept))
            #expect(accounts.body["columnDefinitions"]?.arrayValue?.map { $0["name"]?.stringValue } == ["Name", "Age"])
        }
    }

    // MARK: selectors and discovery, through kubectl

    @Test("kubectl prints label selector errors as kube-apiserver words them", .enabled(if: Kubectl.isInstalled))
    func labelSelectorErrors() async throws {
        try await Self.withPlane { plane in
            let result = try await plane.kubectl(["get", "configmaps", "-l", "a b"])
            #expect(result.status != 0)
            #expect(result.stderr.contains(
                "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt"))
            let comma = try await plane.kubectl(["get", "configmaps", "-l", "a,"])
            #expect(comma.stderr.contains("found '', expected: identifier after ','"))
        }
    }

    @Test("a custom resource's verbs are listed in kube's order for custom resources", .enabled(if: Kubectl.isInstalled))
    func customResourceVerbs() async throws {
        try await FidelityGapsTests.withPlane(gadgets: true) { plane in
            let output = try await plane.kubectlOK(["api-resources", "--api-group=example.com", "-o", "wide"])
            #expect(output.contains("delete,deletecollection,get,list,patch,create,update,watch"))
            let configMaps = try await plane.kubectlOK(["api-resources", "--api-group=", "-o", "wide"])
            #expect(configMaps.contains("create,delete,deletecollection,get,list,patch,update,watch"))
        }
    }

    // MARK: watches

    /// Our history keeps 10,000 revisions where kube's watch cache keeps far fewer, so a watch
    /// from resourceVersion 1 replays here; from before the compacted revision it must end as
    /// kube's does.
    @Test("a watch from before the history kept is a 200 stream with one ERROR event: 410 Expired, too old",
          .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/sqlite3")))
    func watchTooOld() async throws {
        let first = try await EmbeddedPlane.start(oam: false)
        _ = await Self.answer(first, "POST", "/api/v1/namespaces/default/configmaps", body: Self.configMap)
        await first.stop(removingData: false)
        // Compacting 10,000 revisions takes 11,000 writes; the store's own record of it is set here.
        let database = first.directory.appendingPathComponent("store.sqlite").path
        let sqlite = Process()
        sqlite.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        sqlite.arguments = [database, "UPDATE meta SET value = 5 WHERE key = 'compacted';"]
        try sqlite.run()
        sqlite.waitUntilExit()
        #expect(sqlite.terminationStatus == 0)

        let plane = try await EmbeddedPlane.start(directory: first.directory, oam: false)
        do {
            let response = await plane.server.handler.handle(APIRequest(
                method: "GET", path: "/api/v1/namespaces/default/configmaps",
                query: ["watch": "1", "resourceVersion": "1", "timeoutSeconds": "5"]))
            guard case .watch(let stream, let contentType) = response else {
                Issue.record("not a watch stream")
                await plane.stop()
                return
            }
            #expect(contentType == "application/json")
            var events: [JSONValue] = []
            for try await event in stream { events.append(event) }
            #expect(events.count == 1)
            let event = try #require(events.first)
            #expect(event["type"] == "ERROR")
            #expect(event["object"]?["kind"] == "Status")
            #expect(event["object"]?["code"] == 410)
            #expect(event["object"]?["reason"] == "Expired")
            #expect(event["object"]?["message"] == "too old resource version: 1 (5)")
        } catch {
            await plane.stop()
            throw error
        }
        await plane.stop()
    }
}
