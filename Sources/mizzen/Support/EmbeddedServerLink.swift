import APIServer
import KubeClient

/// Connects a ``KubeClient/KubernetesClient`` to the embedded API server of this process:
/// requests are calls to ``APIServer/APIServer/respondInProcess(method:path:query:headers:body:)``
/// — the same authentication, limits, handling and answers as over HTTPS, without the socket.
struct EmbeddedServerLink: InProcessServer {
    let server: APIServer

    func exchange(_ request: InProcessRequest) async -> InProcessResponse {
        let answer = await server.respondInProcess(
            method: request.method, path: request.path, query: request.query, headers: request.headers,
            body: request.body)
        return InProcessResponse(
            status: answer.status, headers: answer.headers, body: answer.stream.map { .stream($0) } ?? .bytes(answer.body))
    }
}
