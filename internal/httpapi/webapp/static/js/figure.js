// Pose pictures. The service draws each built-in pose on its right side;
// the left side of a two-sided pose is the same picture mirrored. Only
// pictures from this site are shown: the page may load nothing from
// elsewhere (an editor may still store an address on another host).

export function figureSrc(pose) {
  const src = pose.image_url;
  return src && src.startsWith('/') && !src.startsWith('//') ? src : null;
}

export function figureAlt(pose, side) {
  return `Figure of ${pose.english_name}${pose.two_sided && side ? `, ${side} side` : ''}`;
}

// setFigure points img at the pose's picture, on the given side; it hides
// img when there is no picture to show.
export function setFigure(img, pose, side) {
  const src = figureSrc(pose);
  img.hidden = !src;
  if (!src) return img;
  if (img.getAttribute('src') !== src) img.src = src;
  img.classList.toggle('mirrored', pose.two_sided && side === 'left');
  img.alt = figureAlt(pose, side);
  return img;
}

// figure is a new picture of the pose, or null when there is none to show.
export function figure(pose, side, cls) {
  if (!figureSrc(pose)) return null;
  const img = document.createElement('img');
  img.className = cls;
  img.loading = 'lazy';
  img.width = 200;
  img.height = 200;
  return setFigure(img, pose, side);
}
