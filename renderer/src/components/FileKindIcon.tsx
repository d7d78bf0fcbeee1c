import { Archive, Database, File, FileAudio, FileCode, FileImage, FileSpreadsheet, FileText, FileVideo, Folder, type LucideIcon } from 'lucide-react';
import type { KindFamily } from '../kinds';

const ICONS: Record<KindFamily, LucideIcon> = {
  folder: Folder,
  bucket: Database,
  image: FileImage,
  text: FileText,
  document: FileText,
  code: FileCode,
  data: FileSpreadsheet,
  archive: Archive,
  audio: FileAudio,
  video: FileVideo,
  file: File,
};

/** The icon of a file kind in the object tables; decoration only (the Type column says the kind in words). */
export function FileKindIcon({ family }: { family: KindFamily }) {
  const Icon = ICONS[family];
  return <Icon className={`kind-icon kind-${family}`} size={16} strokeWidth={1.75} aria-hidden="true" focusable="false" />;
}
