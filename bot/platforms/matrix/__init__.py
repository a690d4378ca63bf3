"""Matrix front-end (matrix-nio): text commands, reactions, private rooms."""

from bot.platforms.matrix.frontend import MatrixFrontend, run_matrix

__all__ = ["MatrixFrontend", "run_matrix"]
