"""Bytes that are not the request's message end the call with INVALID_ARGUMENT, on every method.

grpcio runs a method's request deserializer before its handler; when ``FromString`` raises ``DecodeError`` it ends
the call itself, with a bare INTERNAL or UNKNOWN status and no ``mixmask-error-code``, which reads as a worker bug.
This interceptor gives every handler a deserializer that does not raise: undecodable bytes become an ``Undecodable``
value, and the handler's wrapper answers it with INVALID_ARGUMENT naming the method and the message type, before the
servicer sees anything. ``Train`` parses its plans itself (plan/intake.py) and reports them in stream order; it
passes through unchanged because its deserializer never raises.
"""

from __future__ import annotations

from typing import Any, AsyncIterator, Awaitable, Callable, Optional

import grpc

from mixmask_worker.plan.intake import parse_plan
from mixmask_worker.service.protocol import WorkerError, abort_with_error


class Undecodable:
    """What the safe deserializer returns for bytes its message type cannot parse."""

    def __init__(self, type_name: str, size: int, error: BaseException) -> None:
        self.type_name = type_name
        self.size = size
        self.error = error


def _type_name(deserializer: Callable[[bytes], Any]) -> str:
    owner = getattr(deserializer, "__self__", None)  # FromString is a classmethod of the message type
    return str(getattr(owner, "__name__", None) or getattr(deserializer, "__name__", "the request message"))


def _safe(deserializer: Callable[[bytes], Any]) -> Callable[[bytes], Any]:
    type_name = _type_name(deserializer)

    def decode(data: bytes) -> Any:
        try:
            return deserializer(data)
        except Exception as error:  # DecodeError, or anything a hostile byte string provokes
            return Undecodable(type_name, len(data), error)

    return decode


async def _refuse(method: str, bad: Undecodable, context: grpc.aio.ServicerContext) -> None:
    await abort_with_error(
        context,
        WorkerError(
            "INVALID_ARGUMENT",
            f"{method}: the request ({bad.size} bytes) is not a {bad.type_name} message ({bad.error}): the client and "
            "the worker disagree on the protocol (update the side that is older), or the bytes were damaged",
        ),
    )


def _wrap(method: str, handler: grpc.RpcMethodHandler) -> grpc.RpcMethodHandler:
    streaming_in, streaming_out = bool(handler.request_streaming), bool(handler.response_streaming)
    if streaming_in and streaming_out:
        inner: Any = handler.stream_stream
    elif streaming_in:
        inner = handler.stream_unary
    elif streaming_out:
        inner = handler.unary_stream
    else:
        inner = handler.unary_unary

    if streaming_in:

        async def behavior(requests: AsyncIterator[Any], context: grpc.aio.ServicerContext) -> Any:
            async def checked() -> AsyncIterator[Any]:
                async for request in requests:
                    if isinstance(request, Undecodable):
                        await _refuse(method, request, context)
                    yield request

            return await _call(inner, checked(), context, streaming_out)

    else:

        async def behavior(request: Any, context: grpc.aio.ServicerContext) -> Any:  # type: ignore[misc]
            if isinstance(request, Undecodable):
                await _refuse(method, request, context)
            return await _call(inner, request, context, streaming_out)

    make = {
        (False, False): grpc.unary_unary_rpc_method_handler,
        (True, False): grpc.stream_unary_rpc_method_handler,
        (False, True): grpc.unary_stream_rpc_method_handler,
        (True, True): grpc.stream_stream_rpc_method_handler,
    }[(streaming_in, streaming_out)]
    return make(
        behavior,
        request_deserializer=_safe(handler.request_deserializer),
        response_serializer=handler.response_serializer,
    )


async def _call(inner: Any, request: Any, context: grpc.aio.ServicerContext, streaming_out: bool) -> Any:
    """Runs the original behaviour; a streaming one (an async generator) writes its responses through ``context``."""
    result = inner(request, context)
    if streaming_out and hasattr(result, "__aiter__"):
        async for response in result:
            await context.write(response)
        return None
    return await result


class RequestDecodingInterceptor(grpc.aio.ServerInterceptor):
    """Wraps every handler that has a raising deserializer (see the module's docstring)."""

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[Optional[grpc.RpcMethodHandler]]],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> Optional[grpc.RpcMethodHandler]:
        handler = await continuation(handler_call_details)
        if handler is None or handler.request_deserializer in (None, parse_plan):
            return handler
        return _wrap(handler_call_details.method.rsplit("/", 1)[-1], handler)
