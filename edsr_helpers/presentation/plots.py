"""Training curves drawn live in a notebook: loss, and validation PSNR against bicubic's dashed line."""

from __future__ import annotations

import keras
import numpy as np


class LivePlot(keras.callbacks.Callback):
    """Redraw training loss and validation PSNR after every epoch, in place, in the notebook.

    The live figure appears after the first epoch, above that epoch's log line (Keras prints it after the
    callbacks). When training ends, the live figure is cleared and the final one drawn below the whole log, so a
    saved notebook shows the curves after the lines they plot.

    A dashed line marks bicubic's PSNR on the same validation images: the curve must cross it. ``metric`` may
    name several curves, ``{label: log key}``, each with its own bicubic line in ``bicubic_psnr`` (same labels).
    Put it after the callbacks that add to the logs (``ScoreOnPairs``), so it draws their numbers too.
    """

    def __init__(
        self, bicubic_psnr: float | dict[str, float] | None = None, metric: str | dict[str, str] = "val_psnr_y"
    ):
        super().__init__()
        self.bicubic_psnr, self.metric = bicubic_psnr, metric
        self.history: dict[str, list[float]] = {}
        self._handle = None

    def on_epoch_end(self, epoch, logs=None):
        import matplotlib.pyplot as plt
        from IPython.display import display

        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(float(value))
        figure = plot_history(self.history, self.bicubic_psnr, self.metric)
        if self._handle is None:
            self._handle = display(figure, display_id=True)
        else:
            self._handle.update(figure)
        plt.close(figure)

    def on_train_end(self, logs=None):
        import matplotlib.pyplot as plt
        from IPython.display import HTML, display

        if self._handle is None:  # no epoch ended: nothing to draw
            return
        self._handle.update(HTML(""))
        figure = plot_history(self.history, self.bicubic_psnr, self.metric)
        display(figure)
        plt.close(figure)


def plot_history(
    history: dict[str, list[float]],
    bicubic_psnr: float | dict[str, float] | None = None,
    metric: str | dict[str, str] = "val_psnr_y",
):
    """Figure of loss (left) and validation PSNR (right) per epoch, bicubic as a dashed line (one per curve
    when ``metric`` names several, ``{label: log key}``)."""
    import matplotlib.pyplot as plt

    curves = metric if isinstance(metric, dict) else {"EDSR": metric}
    bicubic = bicubic_psnr if isinstance(bicubic_psnr, dict) else {label: bicubic_psnr for label in curves}
    figure, (loss_axis, psnr_axis) = plt.subplots(1, 2, figsize=(10, 3.4))
    epochs = np.arange(1, len(history.get("loss", [])) + 1)
    loss_axis.plot(epochs, history.get("loss", []), "o-", label="training L1 loss")
    if "val_loss" in history:
        loss_axis.plot(epochs, history["val_loss"], "o-", label="validation L1 loss")
    loss_axis.set(xlabel="epoch", ylabel="mean |SR - HR| (0-255)", title="loss")
    loss_axis.legend()
    for index, (label, key) in enumerate(curves.items()):
        color = f"C{2 + index}"
        if key in history:
            psnr_axis.plot(epochs, history[key], "o-", color=color, label=label)
        if bicubic.get(label) is not None:
            name = "bicubic" if len(curves) == 1 else f"bicubic, {label}"
            value = bicubic[label]
            psnr_axis.axhline(value, color=color, linestyle="--", alpha=0.7, label=f"{name} {value:.2f} dB")
    psnr_axis.set(xlabel="epoch", ylabel="PSNR (dB, Y, shaved)", title="validation PSNR")
    psnr_axis.legend(loc="lower right", fontsize="small")
    for axis in (loss_axis, psnr_axis):
        axis.grid(alpha=0.3)
    figure.tight_layout()
    return figure
