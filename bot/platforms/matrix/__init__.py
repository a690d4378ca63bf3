"""Matrix front-end (matrix-nio): text commands, reactions, private rooms."""

from bot.platforms.matrix.frontend import MatrixFrontend

__all__ = ["MatrixFrontend"]
