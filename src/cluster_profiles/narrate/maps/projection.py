"""Where a point of the Earth lands on a map panel: Equal Earth for world panels, equirectangular for
regional ones, and the frame that turns either into the figure's pixels."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


def equal_earth(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """Equal Earth projection (Šavrič, Patterson and Jenny 2018) of degrees, on the unit sphere."""
    a1, a2, a3, a4 = 1.340264, -0.081106, 0.000893, 0.003796
    lam, phi = np.radians(np.asarray(lon, dtype=float)), np.radians(np.asarray(lat, dtype=float))
    theta = np.arcsin(np.sqrt(3) / 2 * np.sin(phi))
    t2 = theta * theta
    t6 = t2 * t2 * t2
    x = 2 * np.sqrt(3) * lam * np.cos(theta) / (3 * (9 * a4 * t6 * t2 + 7 * a3 * t6 + 3 * a2 * t2 + a1))
    y = theta * (a1 + a2 * t2 + t6 * (a3 + a4 * t2))
    return x, y


@dataclass(frozen=True)
class Frame:
    """Where a map panel sits: its projection, its extent in projected units and its pixel box.

    ``regional`` panels are equirectangular (x = longitude x cos(middle latitude), y = latitude):
    straight parallels and meridians, true shapes near the middle latitude. ``world`` is Equal Earth.
    """

    projection: str  # "regional" or "world"
    extent: tuple[float, float, float, float]  # x_min, x_max, y_min, y_max in projected units
    pixels: tuple[float, float, float, float]  # x0, y0, width, height in figure pixels (origin bottom left)
    scale_x: float = 1.0  # regional: cos(middle latitude)

    def project(self, lon, lat) -> tuple[np.ndarray, np.ndarray]:
        if self.projection == "world":
            return equal_earth(lon, lat)
        return np.asarray(lon, dtype=float) * self.scale_x, np.asarray(lat, dtype=float)

    def to_pixels(self, x, y) -> tuple[np.ndarray, np.ndarray]:
        x_min, x_max, y_min, y_max = self.extent
        x0, y0, width, height = self.pixels
        return (x0 + (np.asarray(x) - x_min) / (x_max - x_min) * width,
                y0 + (np.asarray(y) - y_min) / (y_max - y_min) * height)

    def lonlat_bounds(self) -> tuple[float, float, float, float]:
        """lon_min, lat_min, lon_max, lat_max covered (regional frames)."""
        x_min, x_max, y_min, y_max = self.extent
        return x_min / self.scale_x, y_min, x_max / self.scale_x, y_max


def regional_frame(lon_min: float, lat_min: float, lon_max: float, lat_max: float,
                   pixels: tuple[float, float, float, float], pad: float = 0.12,
                   min_span: float = 8.0) -> Frame:
    """A regional frame holding the box (plus ``pad`` of its size, at least ``min_span`` degrees of
    latitude), widened in one direction so that it fills the pixel box without distortion."""
    middle = (lat_min + lat_max) / 2
    scale_x = math.cos(math.radians(max(-70.0, min(70.0, middle))))
    width_deg = max(lon_max - lon_min, 1e-6) * scale_x
    height_deg = max(lat_max - lat_min, 1e-6)
    width_deg, height_deg = width_deg * (1 + 2 * pad), height_deg * (1 + 2 * pad)
    height_deg = max(height_deg, min_span)
    width_deg = max(width_deg, min_span * scale_x)
    aspect = pixels[2] / pixels[3]
    if width_deg / height_deg < aspect:
        width_deg = height_deg * aspect
    else:
        height_deg = width_deg / aspect
    centre_x, centre_y = (lon_min + lon_max) / 2 * scale_x, (lat_min + lat_max) / 2
    centre_y = min(max(centre_y, -85 + height_deg / 2), 85 - height_deg / 2) if height_deg < 170 else 0.0
    extent = (centre_x - width_deg / 2, centre_x + width_deg / 2, centre_y - height_deg / 2, centre_y + height_deg / 2)
    return Frame("regional", extent, pixels, scale_x)


WORLD_LAT_RANGE = (-58.0, 84.0)  # the inhabited world; Antarctica is left out


def world_frame(pixels: tuple[float, float, float, float]) -> Frame:
    """The whole world in Equal Earth, fitted into the pixel box."""
    x_edge, _ = equal_earth(180.0, 0.0)
    _, y_low = equal_earth(0.0, WORLD_LAT_RANGE[0])
    _, y_high = equal_earth(0.0, WORLD_LAT_RANGE[1])
    width, height = 2 * float(x_edge) * 1.01, float(y_high - y_low) * 1.04
    aspect = pixels[2] / pixels[3]
    if width / height < aspect:
        width = height * aspect
    else:
        height = width / aspect
    centre_y = float(y_high + y_low) / 2
    return Frame("world", (-width / 2, width / 2, centre_y - height / 2, centre_y + height / 2), pixels)
