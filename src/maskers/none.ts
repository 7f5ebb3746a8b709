import type { Masker } from "./masker.js";

/** No masking: the framework's own loss, the baseline every masker is compared with. */
export const none: Masker = {
  name: "none",
  title: "",
  source: "the framework's own paper",
  lossPieces: "none: L = L_base(view0, view1)",
  usesCells: false,
  usesUnmix: false,
  plan: () => ({ pieces: [{ image: "view", weight: 1 }] }),
};
