"""Command line: `python -m desktop_app.simulator --port N` serves until interrupted."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from .config import DEFAULT_MODEL, SimulatorConfig
from .runner import serve_forever


def _positive(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError("must be greater than zero")
    return value


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m desktop_app.simulator",
        description="Serve a simulated vLLM (Gemma 4) OpenAI-compatible API.",
    )
    parser.add_argument("--port", type=int, required=True, help="TCP port (0 picks a free one)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--api-key", default=None, help="require this bearer key on /v1")
    parser.add_argument("--tokens-per-second", type=_positive, default=None,
                        help="stream speed (default: as fast as possible)")
    parser.add_argument("--model", default=DEFAULT_MODEL, help="served model name")
    parser.add_argument("--max-model-len", type=int, default=32768)
    parser.add_argument("--image-limit", type=int, default=4,
                        help="images allowed per prompt (--limit-mm-per-prompt)")
    parser.add_argument("--string-scalars", action="store_true",
                        help="tool-call numbers and booleans arrive as strings")
    parser.add_argument("--degraded-tools", action="store_true",
                        help="no tool parser: raw tool-call text in content")
    parser.add_argument("--no-tool-parser", dest="tool_parser", action="store_false",
                        help='served without --tool-call-parser: tool_choice "auto" is a 400')
    parser.add_argument("--no-reasoning-parser", dest="reasoning_parser", action="store_false",
                        help="served without --reasoning-parser: thinking lands in content")
    parser.add_argument("--text-only", dest="vision", action="store_false",
                        help="a text-only model: images are refused")
    parser.add_argument("--audio", action="store_true", help="the model takes audio input")
    parser.add_argument("--no-tokenize", dest="tokenize_route", action="store_false",
                        help="no /tokenize route (as on servers other than vLLM)")
    parser.add_argument("--no-metrics", dest="metrics_route", action="store_false",
                        help="no /metrics route")
    parser.add_argument("--max-logprobs", type=int, default=20,
                        help="most alternatives per token a request may ask for")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    config = SimulatorConfig(
        api_key=args.api_key, tokens_per_second=args.tokens_per_second, model=args.model,
        max_model_len=args.max_model_len, image_limit=args.image_limit,
        string_scalars=args.string_scalars, degraded_tools=args.degraded_tools,
        tool_parser=args.tool_parser, reasoning_parser=args.reasoning_parser, vision=args.vision,
        audio=args.audio, tokenize_route=args.tokenize_route, metrics_route=args.metrics_route,
        max_logprobs=args.max_logprobs,
    )
    serve_forever(config, args.host, args.port)


if __name__ == "__main__":
    main()
